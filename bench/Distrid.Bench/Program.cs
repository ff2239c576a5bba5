Console.Error.WriteLine("usage: Distrid.Bench <benchmark>");
return 2;
