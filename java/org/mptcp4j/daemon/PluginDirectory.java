package org.mptcp4j.daemon;

import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * mptcpd's {@code plugin-dir}: the jars in a directory, whose controllers
 * ({@code META-INF/services/org.mptcp4j.controller.ControllerProvider}) can then be named like
 * mptcp4j's own. They are seen through the thread's context class loader, which threads the
 * daemon starts afterwards (event loops) inherit.
 */
public final class PluginDirectory {
    /** One loader per directory and jar set: a reload that finds the same jars makes no new loader. */
    private static final Map<List<String>, URLClassLoader> LOADERS = new ConcurrentHashMap<>();

    private PluginDirectory() {}

    /**
     * Makes the jars in {@code directory} visible to {@link org.mptcp4j.controller.Controllers}
     * on this thread and the threads it starts from now on.
     *
     * @return the jars found
     * @throws IOException when the directory cannot be read
     */
    public static List<Path> load(Path directory) throws IOException {
        List<Path> jars;
        try (Stream<Path> files = Files.list(directory)) {
            jars = files.filter(f -> f.getFileName().toString().endsWith(".jar")).sorted().toList();
        }
        List<String> key = new ArrayList<>();
        key.add(directory.toRealPath().toString());
        List<URL> urls = new ArrayList<>();
        for (Path jar : jars) {
            key.add(jar.getFileName() + "@" + Files.getLastModifiedTime(jar).toMillis() + "/" + Files.size(jar));
            try {
                urls.add(jar.toUri().toURL());
            } catch (MalformedURLException e) {
                throw new IOException(jar + ": " + e.getMessage(), e);
            }
        }
        // Kept for the JVM's life: controllers made from it live as long as the daemon.
        URLClassLoader loader = LOADERS.computeIfAbsent(List.copyOf(key), k -> new URLClassLoader("mptcp4j-plugins",
                urls.toArray(URL[]::new), PluginDirectory.class.getClassLoader()));
        Thread.currentThread().setContextClassLoader(loader);
        return jars;
    }
}
