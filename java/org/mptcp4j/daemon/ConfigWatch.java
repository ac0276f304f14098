package org.mptcp4j.daemon;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code reload-on-change}: watches the configuration file's directory and calls back when the
 * file reads differently or its path leads elsewhere. A Kubernetes ConfigMap mounted as a
 * directory is updated by swapping the symbolic link {@code ..data} there for one to a new
 * directory, which the file's own link goes through: the file never changes in place, the
 * directory does.
 */
final class ConfigWatch implements AutoCloseable {
    /** A file larger than this is not compared (nor kept): no configuration comes near it. */
    static final long MAX_FILE_BYTES = 1 << 20;

    private static final Logger LOG = LoggerFactory.getLogger(ConfigWatch.class);
    /** Events of one update (a ConfigMap's swap is several) are taken together. */
    private static final long SETTLE_MILLIS = 200;

    private final Path file;
    private final Runnable changed;
    private final WatchService service;
    private final Thread thread;
    /** What the file led to and held when last looked at. */
    private String seenPath;
    private byte[] seenContent;

    private ConfigWatch(Path file, Runnable changed) throws IOException {
        this.file = file.toAbsolutePath();
        this.changed = changed;
        this.service = FileSystems.getDefault().newWatchService();
        try {
            this.file.getParent().register(service, StandardWatchEventKinds.ENTRY_CREATE,
                    StandardWatchEventKinds.ENTRY_MODIFY, StandardWatchEventKinds.ENTRY_DELETE);
        } catch (IOException | RuntimeException e) {
            service.close();
            throw e;
        }
        changed();
        this.thread = new Thread(this::watch, "mptcp4j-config-watch");
        thread.setDaemon(true);
    }

    /** Watches {@code file}, calling {@code changed} on the watch's thread after each change. */
    static ConfigWatch start(Path file, Runnable changed) throws IOException {
        ConfigWatch w = new ConfigWatch(file, changed);
        w.thread.start();
        LOG.atInfo().addKeyValue("file", w.file).log("reloading the configuration when its file changes");
        return w;
    }

    Path file() {
        return file;
    }

    private void watch() {
        try {
            while (true) {
                WatchKey key = service.take();
                key.pollEvents();
                if (!key.reset()) {
                    // The directory itself is gone (unmounted, removed): nothing will come again.
                    LOG.warn("reload-on-change: {} can no longer be watched (removed or unmounted): changes to {}"
                            + " are applied only by SIGHUP or ctl reload from now on", key.watchable(), file);
                    return;
                }
                // The rest of the update, then its events (the file is read after them: no change is missed).
                Thread.sleep(SETTLE_MILLIS);
                for (WatchKey more = service.poll(); more != null; more = service.poll()) {
                    more.pollEvents();
                    more.reset();
                }
                if (changed()) {
                    LOG.atInfo().addKeyValue("file", file).addKeyValue("target", seenPath)
                            .log("configuration file changed: reloading");
                    this.changed.run();
                }
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // closed
        }
    }

    /** Looks at the file again: whether it leads elsewhere or reads differently than before. */
    private boolean changed() {
        String path;
        byte[] content;
        try {
            Path real = file.toRealPath();
            // Only a regular file of bounded size is read: a FIFO would hold the watch forever.
            if (!Files.isRegularFile(real) || Files.size(real) > MAX_FILE_BYTES) {
                return false;
            }
            path = real.toString();
            content = Files.readAllBytes(real);
        } catch (IOException e) {
            return false; // between two steps of an update, or gone: the next event looks again
        }
        boolean differs = !path.equals(seenPath) || !Arrays.equals(content, seenContent);
        seenPath = path;
        seenContent = content;
        return differs;
    }

    @Override
    public void close() {
        try {
            service.close();
        } catch (IOException e) {
            LOG.warn("closing the watch of {}: {}", file, e.getMessage());
        }
        thread.interrupt();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
