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

    /** Every numeric sample of a Prometheus endpoint's /metrics, by its name and labels. */
    public static java.util.Map<String, Long> samples(InetSocketAddress endpoint) throws IOException {
        Response r = request(endpoint, "GET", "/metrics");
        if (r.status() != 200) {
            throw new IOException("GET /metrics: " + r.status() + " " + r.body());
        }
        java.util.Map<String, Long> samples = new java.util.TreeMap<>();
        for (String line : r.body().lines().toList()) {
            int space = line.lastIndexOf(' ');
            if (!line.startsWith("#") && space > 0 && line.substring(space + 1).matches("-?\\d+")) {
                samples.put(line.substring(0, space), Long.parseLong(line.substring(space + 1)));
            }
        }
        return samples;
    }

    /** Scrapes until {@code done} holds for the samples (every 100 ms), {@code seconds} at most; the last samples. */
    public static java.util.Map<String, Long> samplesUntil(InetSocketAddress endpoint,
            java.util.function.Predicate<java.util.Map<String, Long>> done, int seconds) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        java.util.Map<String, Long> samples = samples(endpoint);
        while (!done.test(samples) && System.nanoTime() < deadline) {
            Thread.sleep(100);
            samples = samples(endpoint);
        }
        return samples;
    }
}
