package org.mptcp4j.daemon;

import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.mptcp4j.files.TrustedPath;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * mptcpd's {@code plugin-dir}: the jars in a directory, whose controllers
 * ({@code META-INF/services/org.mptcp4j.controller.ControllerProvider}) can then be named like
 * mptcp4j's own. They are seen through the thread's context class loader, which threads the
 * daemon starts afterwards (event loops) inherit.
 *
 * <p>Their code runs with the daemon's privileges, so the directory, each directory above it
 * and each jar must be owned by root or the daemon's user and writable by no one else (a
 * directory above may be writable by others if it is sticky, as /tmp is), and none may be a
 * symbolic link: the rule of the control socket's directory ({@link TrustedPath}). Anything
 * else is refused, naming the file and what is wrong with it.
 *
 * <p>A changed set of jars gets a new class loader. The old one is closed, and its jar files
 * with it, once nothing {@linkplain #hold holds} it any more: no configuration in force names
 * it and no event loop runs its controllers.
 */
public final class PluginDirectory {
    private static final Logger LOG = LoggerFactory.getLogger(PluginDirectory.class);

    /** A loader and how many hold it. */
    private static final class Loader {
        final URLClassLoader classLoader;
        int holders;

        Loader(URLClassLoader classLoader) {
            this.classLoader = classLoader;
        }
    }

    /**
     * One loader per directory and jar set: a reload that finds the same jars makes no new
     * loader. Guarded by the class, as is {@link #latest}.
     */
    private static final Map<List<String>, Loader> LOADERS = new HashMap<>();
    /** The loader of the last {@link #load}: what the next configuration is read with, kept open. */
    private static Loader latest;

    private PluginDirectory() {}

    /**
     * Makes the jars in {@code directory} visible to {@link org.mptcp4j.controller.Controllers}
     * on this thread and the threads it starts from now on.
     *
     * @return the jars found
     * @throws IOException when the directory cannot be read or breaks the rules above; the
     *     message says which file and why
     */
    public static List<Path> load(Path directory) throws IOException {
        return load(directory, List.of());
    }

    /** A plugin {@code load-plugins} names that the directory does not have. */
    static final class NotFound extends IOException {
        private static final long serialVersionUID = 1L;

        NotFound(String message) {
            super(message);
        }
    }

    /**
     * As {@link #load(Path)}, with only the jars {@code names} names (mptcpd's
     * {@code load-plugins}: NAME is NAME.jar); all of them when it is empty.
     *
     * @throws NotFound naming a plugin the directory does not have
     */
    static List<Path> load(Path directory, List<String> names) throws IOException {
        List<Path> jars;
        List<String> key = new ArrayList<>();
        List<URL> urls = new ArrayList<>();
        try {
            int uid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
            TrustedPath.checkDirectory(directory, uid);
            // No link on the way: the path as written is the directory's own.
            Path absolute = directory.toAbsolutePath().normalize();
            try (Stream<Path> files = Files.list(absolute)) {
                jars = files.filter(f -> f.getFileName().toString().endsWith(".jar")).sorted().toList();
            }
            if (!names.isEmpty()) {
                List<String> found = jars.stream().map(j -> j.getFileName().toString()).toList();
                for (String name : names) {
                    if (!found.contains(name + ".jar")) {
                        throw new NotFound("no plugin " + name + " (" + name + ".jar) in " + directory);
                    }
                }
                jars = jars.stream().filter(j -> names.contains(j.getFileName().toString().replaceFirst("\\.jar$", "")))
                        .toList();
            }
            key.add(absolute.toString());
            for (Path jar : jars) {
                TrustedPath.checkFile(jar, uid);
                key.add(jar.getFileName() + "@" + Files.getLastModifiedTime(jar, LinkOption.NOFOLLOW_LINKS).toMillis()
                        + "/" + Files.size(jar));
                urls.add(url(jar));
            }
        } catch (NotFound e) {
            throw e;
        } catch (TrustedPath.Untrusted e) {
            throw new IOException("plugin directory " + directory + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new IOException("cannot read the plugin directory " + directory + ": " + e, e);
        }
        URLClassLoader loader;
        synchronized (PluginDirectory.class) {
            Loader l = LOADERS.computeIfAbsent(List.copyOf(key), k -> new Loader(new URLClassLoader("mptcp4j-plugins",
                    urls.toArray(URL[]::new), PluginDirectory.class.getClassLoader())));
            latest = l;
            // Loaded before but never put in force (a configuration refused on reload): nothing runs them.
            LOADERS.values().removeIf(other -> other != l && other.holders == 0 && close(other));
            loader = l.classLoader;
        }
        Thread.currentThread().setContextClassLoader(loader);
        return jars;
    }

    /**
     * {@code loader} is in use (a configuration in force names it, or an event loop runs its
     * controllers) until {@link #release}d; nothing for a loader not made here.
     */
    static synchronized void hold(ClassLoader loader) {
        Loader l = find(loader);
        if (l != null) {
            l.holders++;
        }
    }

    /**
     * One use of {@code loader} ended; the last closes it, and its jar files, unless it is the
     * one the next configuration would be read with.
     */
    static synchronized void release(ClassLoader loader) {
        Loader l = find(loader);
        if (l != null && --l.holders == 0 && l != latest) {
            LOADERS.values().remove(l);
            close(l);
        }
    }

    /** Class loaders of plugins open now (each with its jar files). */
    static synchronized int openLoaders() {
        return LOADERS.size();
    }

    private static Loader find(ClassLoader loader) {
        for (Loader l : LOADERS.values()) {
            if (l.classLoader == loader) {
                return l;
            }
        }
        return null;
    }

    private static boolean close(Loader l) {
        try {
            l.classLoader.close();
        } catch (IOException e) {
            LOG.warn("closing the class loader of replaced plugins: {}", e.toString());
        }
        return true;
    }

    private static URL url(Path jar) throws IOException {
        try {
            return jar.toUri().toURL();
        } catch (MalformedURLException e) {
            throw new IOException(jar + ": " + e.getMessage(), e);
        }
    }
}
