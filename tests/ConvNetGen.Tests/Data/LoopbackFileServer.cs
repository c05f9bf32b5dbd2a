using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ConvNetGen.Tests.Data;

/// <summary>
/// A tiny HTTP/1.1 server on 127.0.0.1 and a free port that serves fixed files (and 404 for anything else),
/// counting requests per path. Only loopback: the tests never leave the machine.
/// </summary>
internal sealed class LoopbackFileServer : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Dictionary<string, byte[]> _files;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;

    public LoopbackFileServer(Dictionary<string, byte[]> files)
    {
        _files = files;
        _listener.Start();
        BaseUrl = $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/data/";
        _acceptLoop = Task.Run(AcceptLoop);
    }

    /// <summary>The folder URL the files are served under, ending with '/'.</summary>
    public string BaseUrl { get; }

    /// <summary>How many GET requests each file name received (404s included).</summary>
    public ConcurrentDictionary<string, int> Requests { get; } = new();

    /// <summary>A loopback URL on which nothing listens: connecting to it is refused at once.</summary>
    public static string ClosedPortUrl()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return $"http://127.0.0.1:{port}/data/";
    }

    private async Task AcceptLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException) { return; }
            _ = Task.Run(() => Serve(client));
        }
    }

    private async Task Serve(TcpClient client)
    {
        using (client)
        {
            var stream = client.GetStream();
            string? requestLine = await ReadHeaders(stream);
            if (requestLine is null) return;
            string path = requestLine.Split(' ')[1];
            string name = path.StartsWith("/data/", StringComparison.Ordinal) ? path["/data/".Length..] : path;
            Requests.AddOrUpdate(name, 1, (_, n) => n + 1);

            byte[] body = _files.TryGetValue(name, out var file) ? file : Encoding.ASCII.GetBytes("not here");
            string status = file is null ? "404 Not Found" : "200 OK";
            string headers = $"HTTP/1.1 {status}\r\nContent-Type: application/octet-stream\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n";
            try
            {
                await stream.WriteAsync(Encoding.ASCII.GetBytes(headers));
                await stream.WriteAsync(body);
            }
            catch (IOException) { } // the client gave up early, e.g. on a wrong Content-Length
        }
    }

    /// <summary>Reads up to the blank line ending the request headers; returns the request line.</summary>
    private static async Task<string?> ReadHeaders(NetworkStream stream)
    {
        var received = new StringBuilder();
        var buffer = new byte[1024];
        while (!received.ToString().Contains("\r\n\r\n", StringComparison.Ordinal) && received.Length < 16_384)
        {
            int n = await stream.ReadAsync(buffer);
            if (n == 0) return null;
            received.Append(Encoding.ASCII.GetString(buffer, 0, n));
        }
        return received.ToString().Split("\r\n")[0];
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        try { _acceptLoop.Wait(TimeSpan.FromSeconds(2)); }
        catch (AggregateException) { }
        _stop.Dispose();
    }
}
