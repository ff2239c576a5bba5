// Placeholder host: the daemon grows into a Microsoft.Extensions.Hosting service with the /ro mount (issue 3).
Console.Error.WriteLine("distrid: the daemon is not built yet");
return 1;
