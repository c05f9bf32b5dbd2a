using ConvNetGen.Import;

return Cli.Run(args, Console.Out, Console.Error);
