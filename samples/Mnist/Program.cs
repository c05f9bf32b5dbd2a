using Mnist;

if (args.Contains("--summary"))
{
    Console.WriteLine(MnistConvNet.Summary);
    return 0;
}
Console.WriteLine(MnistConvNet.Summary);
return 0;
