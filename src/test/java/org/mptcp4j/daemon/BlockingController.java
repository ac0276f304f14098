package org.mptcp4j.daemon;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.mptcp4j.controller.Controller;
import org.mptcp4j.controller.ControllerContext;
import org.mptcp4j.controller.ControllerParameters;
import org.mptcp4j.controller.ControllerProvider;
import org.mptcp4j.netns.NetworkNamespace;
import org.mptcp4j.protocol.MptcpEvent;
import org.mptcp4j.protocol.MptcpEventType;

/**
 * A controller stuck in a callback, as a broken plugin's would be: on the first connection it
 * sees established in this process (and only that one), it writes {@code blocked} in its
 * directory and waits, deaf to interrupts, until the file {@code release} appears there (a
 * minute at most). Then it looks at the namespace through its context, as a command would, and
 * writes in {@code returned} what it found: the inode of the namespace its descriptor names and
 * of the one its thread entered with it, or what failed.
 */
public final class BlockingController implements Controller {
    private static final AtomicBoolean BLOCKED = new AtomicBoolean();
    private final Path directory;
    private ControllerContext context;

    BlockingController(Path directory) {
        this.directory = directory;
    }

    /** Waits up to 20 s for {@code file}, one the controller writes (blocked, returned); fails without it. */
    static Path awaitFile(Path file) throws InterruptedException {
        for (int i = 0; i < 1000 && Files.notExists(file); i++) {
            Thread.sleep(20);
        }
        if (Files.notExists(file)) {
            throw new AssertionError(file + " never came");
        }
        return file;
    }

    @Override
    public Set<MptcpEventType> eventTypes() {
        return EnumSet.of(MptcpEventType.ESTABLISHED);
    }

    @Override
    public void start(ControllerContext ctx) {
        this.context = ctx;
    }

    @Override
    public void onEstablished(MptcpEvent event) {
        if (event.serverSide() || !BLOCKED.compareAndSet(false, true)) {
            return;
        }
        try {
            Files.writeString(directory.resolve("blocked"), "");
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
            while (Files.notExists(directory.resolve("release")) && System.nanoTime() < deadline) {
                sleepThroughInterrupts();
            }
            String seen;
            try {
                NetworkNamespace ns = context.namespace();
                long entered = ns.call(() -> (Long) Files.getAttribute(Path.of("/proc/thread-self/ns/net"), "unix:ino"));
                seen = "descriptor=" + ns.inode() + " entered=" + entered;
            } catch (Exception e) {
                seen = "failed=" + e;
            }
            // Written aside and renamed: the test reads the file as soon as it exists.
            Path written = Files.writeString(directory.resolve("returned.part"), seen);
            Files.move(written, directory.resolve("returned"), StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String toString() {
        return "block-once " + directory;
    }

    private static void sleepThroughInterrupts() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            // a stuck controller does not listen
        }
    }

    /** {@code block-once dir=DIR}. */
    public static final class Provider implements ControllerProvider {
        public Provider() {}

        @Override
        public String name() {
            return "block-once";
        }

        @Override
        public String description() {
            return "blocks in the first ESTABLISHED of the process until DIR/release exists (tests only)";
        }

        @Override
        public Map<String, String> parameters() {
            return Map.of("dir", "where it says it blocks and what it saw once it returns (required)");
        }

        @Override
        public Controller create(ControllerParameters parameters) {
            String dir = parameters.string("dir", null);
            parameters.requireAllRead();
            if (dir == null) {
                throw new IllegalArgumentException("block-once: parameter 'dir' is required");
            }
            return new BlockingController(Path.of(dir));
        }
    }
}
