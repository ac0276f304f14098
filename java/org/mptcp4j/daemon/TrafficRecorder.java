package org.mptcp4j.daemon;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.mptcp4j.protocol.Dialect;
import org.mptcp4j.protocol.TrafficTap;
import org.mptcp4j.standin.Recording;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code run --record}: the namespace's event datagrams, the path manager's requests and the
 * kernel's answers, written into a recording (docs/recording-format.md). The loop and the
 * command path copy each datagram into a bounded queue and go on; a thread of its own writes
 * the queue into the file and flushes it whenever the queue runs empty. When the disk falls
 * behind and the queue is full, datagrams are dropped and counted, never waited for; a dropped
 * event datagram leaves an events-lost record in the file.
 */
final class TrafficRecorder implements TrafficTap, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TrafficRecorder.class);
    /** Datagrams waiting for the disk at most: some seconds of a busy namespace's traffic. */
    static final int QUEUE_CAPACITY = 16_384;
    /** How long closing waits for the queue to reach the file. */
    private static final long CLOSE_WAIT_MILLIS = 5_000;

    private record Item(Recording.Kind kind, long nanos, byte[] payload) {}

    private final Path file;
    private final Recording.Writer writer;
    private final BlockingQueue<Item> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
    private final AtomicLong dropped = new AtomicLong();
    /** An event datagram was dropped since the last record written: the file must say so. */
    private final AtomicBoolean eventsDropped = new AtomicBoolean();
    private final Thread thread;
    private volatile boolean closing;
    private volatile long written;

    /**
     * Creates (or replaces) {@code file} and writes the header of a recording of
     * {@code dialect}'s family, id {@code familyId}.
     *
     * @throws IOException when the file cannot be written
     */
    TrafficRecorder(Path file, Dialect dialect, int familyId, String label) throws IOException {
        this.file = file;
        Instant now = Instant.now();
        OutputStream out;
        try {
            out = new BufferedOutputStream(Files.newOutputStream(file));
        } catch (NoSuchFileException e) {
            throw new IOException("no such directory", e);
        } catch (AccessDeniedException e) {
            throw new IOException("permission denied", e);
        }
        this.writer = new Recording.Writer(out, dialect, familyId,
                System.nanoTime(), now.getEpochSecond() * 1_000_000_000L + now.getNano());
        try {
            writer.flush();
        } catch (IOException e) {
            writer.close();
            throw e;
        }
        this.thread = new Thread(this::write, "mptcp4j-record-" + label);
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void events(ByteBuffer datagram, int offset, int length, long receivedNanos) {
        byte[] bytes = new byte[Math.max(length, 0)];
        datagram.get(offset, bytes);
        if (!offer(new Item(length < 0 ? Recording.Kind.EVENTS_LOST : Recording.Kind.EVENTS, receivedNanos, bytes))) {
            eventsDropped.set(true);
        }
    }

    @Override
    public void request(ByteBuffer datagram, int length) {
        offer(Recording.Kind.COMMAND, datagram, length);
    }

    @Override
    public void answer(ByteBuffer datagram, int length) {
        offer(Recording.Kind.ANSWER, datagram, length);
    }

    private void offer(Recording.Kind kind, ByteBuffer datagram, int length) {
        byte[] bytes = new byte[length];
        datagram.get(0, bytes);
        offer(new Item(kind, System.nanoTime(), bytes));
    }

    private boolean offer(Item item) {
        if (closing || !queue.offer(item)) {
            dropped.incrementAndGet();
            return false;
        }
        return true;
    }

    /** The writer thread: until closed and the queue is empty, or the file fails. */
    private void write() {
        try (writer) {
            while (true) {
                Item item = queue.poll(100, TimeUnit.MILLISECONDS);
                if (item == null) {
                    if (closing) {
                        return;
                    }
                    continue;
                }
                if (eventsDropped.getAndSet(false)) {
                    writer.write(Recording.Kind.EVENTS_LOST, item.nanos(), item.payload(), 0, 0);
                }
                writer.write(item.kind(), item.nanos(), item.payload(), 0, item.payload().length);
                written++;
                if (queue.isEmpty()) {
                    writer.flush(); // readable up to here, while the daemon runs
                }
            }
        } catch (IOException e) {
            closing = true;
            LOG.atError().addKeyValue("file", file).log("recording into {} failed, it stops here: {}", file, e.getMessage());
            dropped.addAndGet(queue.size());
            queue.clear();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Writes what is queued (waiting a few seconds at most) and closes the file. */
    @Override
    public void close() {
        closing = true;
        try {
            thread.join(CLOSE_WAIT_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            thread.interrupt(); // the disk is stuck: what is queued is lost, the file ends at the last record written
        }
        long lost = dropped.get() + queue.size();
        if (lost > 0) {
            LOG.atWarn().addKeyValue("file", file).log("recording {}: {} datagrams not recorded (the file could not"
                    + " keep up)", file, lost);
        }
        LOG.atInfo().addKeyValue("file", file).log("recording {} closed: {} records", file, written);
    }
}
