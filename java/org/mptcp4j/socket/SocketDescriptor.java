package org.mptcp4j.socket;

import java.io.IOException;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A socket's file descriptor shared by calls on several threads: {@link #close()} first
 * shuts the socket down, which wakes calls blocked in it, then closes the descriptor only once
 * no call holds it, so that no call ever runs on a number the kernel reused for another file.
 */
final class SocketDescriptor {
    private static final int SHUT_RDWR = 2;

    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final int fd;
    private volatile boolean closed;

    SocketDescriptor(int fd) {
        this.fd = fd;
    }

    /** The descriptor, held until {@link #release()}; fails once closing began. */
    int acquire() throws IOException {
        lock.readLock().lock();
        if (closed) {
            lock.readLock().unlock();
            throw new IOException("socket is closed");
        }
        return fd;
    }

    void release() {
        lock.readLock().unlock();
    }

    void close() throws IOException {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        try {
            MptcpSocket.shutdown(fd, SHUT_RDWR);
        } finally {
            lock.writeLock().lock();
            try {
                MptcpSocket.close(fd);
            } finally {
                lock.writeLock().unlock();
            }
        }
    }
}
