Console.Error.WriteLine("districtl: not built yet");
return 1;
