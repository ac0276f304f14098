package org.mptcp4j.testing;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.URL;
import java.nio.charset.StandardCharsets;

/** Requests with the JDK's HTTP client, no proxy: what a Prometheus server does to a metrics endpoint. */
public final class HttpClient {
    private HttpClient() {}

    /** What came back: status, Content-Type, Allow, body. */
    public record Response(int status, String contentType, String allow, String body) {}

    /** One request; the body read whatever the status. */
    public static Response request(InetSocketAddress server, String method, String path) throws IOException {
        URL url = new URL("http", server.getAddress().getHostAddress(), server.getPort(), path);
        HttpURLConnection connection = (HttpURLConnection) url.openConnection(Proxy.NO_PROXY);
        try {
            connection.setRequestMethod(method);
            connection.setConnectTimeout(10_000);
            connection.setReadTimeout(10_000);
            int status = connection.getResponseCode();
            InputStream in = status < 400 ? connection.getInputStream() : connection.getErrorStream();
            String body = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return new Response(status, connection.getContentType(), connection.getHeaderField("Allow"), body);
        } finally {
            connection.disconnect();
        }
    }
}
