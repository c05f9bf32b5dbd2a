namespace ConvNetGen;

/// <summary>The datasets ConvNetGen can find or download: file names, mirrors, sizes and SHA-256 sums in one table.</summary>
internal static class DatasetCatalog
{
    /// <summary>
    /// MNIST from TensorFlow's IDX mirror (Keras itself ships MNIST as an .npz, which this library does not read).
    /// The hashes are the widely published SHA-256 sums of LeCun's original .gz files, which the mirror serves
    /// byte for byte (the same values are pinned by torchvision and many other projects); they could not be
    /// recomputed here, where the mirror is out of reach.
    /// </summary>
    public static readonly DatasetSpec Mnist = new(
        "mnist", "MNIST", "https://storage.googleapis.com/cvdf-datasets/mnist/", DebianPackage: null,
        [
            new("train-images-idx3-ubyte.gz", 9_912_422, "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"),
            new("train-labels-idx1-ubyte.gz", 28_881, "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c"),
            new("t10k-images-idx3-ubyte.gz", 1_648_877, "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"),
            new("t10k-labels-idx1-ubyte.gz", 4_542, "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6"),
        ], Classes: 10);

    /// <summary>
    /// Fashion-MNIST from the mirror Keras' <c>fashion_mnist.load_data()</c> uses, which serves Zalando's original
    /// .gz files (the sizes match Keras' download logs). The hashes are Zalando's published SHA-256 sums of those files.
    /// Debian's dataset-fashion-mnist holds the same images recompressed, so its .gz files have other sums; local
    /// files are not hash-checked, only downloads are.
    /// </summary>
    public static readonly DatasetSpec FashionMnist = new(
        "fashion-mnist", "Fashion-MNIST", "https://storage.googleapis.com/tensorflow/tf-keras-datasets/", DebianPackage: "dataset-fashion-mnist",
        [
            new("train-images-idx3-ubyte.gz", 26_421_880, "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84"),
            new("train-labels-idx1-ubyte.gz", 29_515, "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845"),
            new("t10k-images-idx3-ubyte.gz", 4_422_102, "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073"),
            new("t10k-labels-idx1-ubyte.gz", 5_148, "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5"),
        ], Classes: 10);

    /// <summary>
    /// CIFAR-10's binary version from its publisher (Alex Krizhevsky, University of Toronto): one .tar.gz holding
    /// <c>cifar-10-batches-bin/data_batch_1..5.bin</c> and <c>test_batch.bin</c>. The publisher's page lists MD5 sums
    /// only, so the download is checked against that MD5 (no SHA-256 from the publisher could be confirmed here).
    /// The size and MD5 are the publisher's published values; they could not be re-checked from this machine.
    /// </summary>
    public static readonly DatasetSpec Cifar10 = new(
        "cifar-10", "CIFAR-10", "https://www.cs.toronto.edu/~kriz/", DebianPackage: null,
        [new("cifar-10-binary.tar.gz", 170_052_171, Sha256: null, Md5: "c32a1d4ab5d03f1284b67883e8d87530")], Classes: 10);

    /// <summary>CIFAR-100's binary version (<c>cifar-100-binary/train.bin</c>, <c>test.bin</c>), MD5 from the publisher's page, as <see cref="Cifar10"/>.</summary>
    public static readonly DatasetSpec Cifar100 = new(
        "cifar-100", "CIFAR-100", "https://www.cs.toronto.edu/~kriz/", DebianPackage: null,
        [new("cifar-100-binary.tar.gz", 168_513_733, Sha256: null, Md5: "03b5dce01913d631647c71ecec9e9cb8")], Classes: 100);
}
