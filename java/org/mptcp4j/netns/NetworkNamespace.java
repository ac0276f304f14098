package org.mptcp4j.netns;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.mptcp4j.natives.LinuxCalls;
import org.mptcp4j.natives.NamespaceEntry;
import org.mptcp4j.natives.Transport;
import org.mptcp4j.protocol.Errno;

/**
 * A Linux network namespace that sockets are created in: the caller's own
 * ({@link #current()}), a named one ({@code ip netns add NAME}), or any {@code ns/net} file
 * such as {@code /proc/PID/ns/net}.
 *
 * <p>mptcp4j never leaves a thread inside another namespace: a socket is created by entering
 * the namespace on the calling thread and leaving it at once; the socket keeps its namespace.
 * Instances hold an open file descriptor until {@link #close()}.
 */
public final class NetworkNamespace implements AutoCloseable {
    private static final NetworkNamespace CURRENT = new NetworkNamespace("(current)", -1);

    private final String name;
    private volatile int fd;

    private NetworkNamespace(String name, int fd) {
        this.name = name;
        this.fd = fd;
    }

    /**
     * The namespace of the thread that opens sockets with it.
     *
     * @return the caller's namespace
     */
    public static NetworkNamespace current() {
        return CURRENT;
    }

    /**
     * A namespace made by {@code ip netns add name} (its file is /run/netns/name).
     *
     * @param name the namespace's name
     * @return the namespace; close it
     */
    public static NetworkNamespace named(String name) {
        if (name.isEmpty() || name.contains("/") || name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("not a network namespace name: '" + name + "'");
        }
        return open(name, Path.of("/run/netns", name));
    }

    /**
     * The namespace at a path such as /proc/1234/ns/net.
     *
     * @param path the namespace's file
     * @return the namespace; close it
     */
    public static NetworkNamespace at(Path path) {
        return open(path.toString(), path);
    }

    /**
     * The namespace of process {@code pid}.
     *
     * @param pid the process id
     * @return the namespace; close it
     */
    public static NetworkNamespace ofPid(long pid) {
        return open("pid " + pid, Path.of("/proc", Long.toString(pid), "ns", "net"));
    }

    private static NetworkNamespace open(String name, Path path) {
        Transport.selected();
        try {
            return new NetworkNamespace(name, openFile(path.toString()));
        } catch (IOException e) {
            throw new UncheckedIOException("network namespace " + name + " (" + path + "): " + e.getMessage(), e);
        }
    }

    /**
     * Another descriptor of this namespace, with the same name, to be closed on its own: for an
     * owner that must not depend on when others close theirs (an event loop thread, which may
     * outlive whoever started it). {@link #current()} gives itself.
     *
     * @return another descriptor; close it
     */
    public NetworkNamespace duplicate() {
        if (this == CURRENT) {
            return CURRENT;
        }
        try {
            return new NetworkNamespace(name, duplicateFd(fd()));
        } catch (IOException e) {
            throw new UncheckedIOException("network namespace " + name + ": " + e.getMessage(), e);
        }
    }

    /**
     * The name it was opened by, or "(current)".
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    /**
     * The open descriptor, for the system calls that enter it; -1 for {@link #current()}.
     *
     * @return the descriptor, or -1
     */
    public int fd() {
        int f = fd;
        if (f == -2) {
            throw new IllegalStateException("network namespace " + name + " is closed");
        }
        return f;
    }

    /**
     * The namespace's inode number: equal numbers, same namespace (what {@code ip netns identify} compares).
     *
     * @return the inode number
     */
    public long inode() {
        Transport.selected();
        try {
            if (this == CURRENT) {
                return ((Number) Files.getAttribute(Path.of("/proc/thread-self/ns/net"), "unix:ino")).longValue();
            }
            return inodeOf(fd());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The index of interface {@code name} in this namespace.
     *
     * @param name the interface's name
     * @return its index
     * @throws IllegalArgumentException when there is no such interface
     */
    public int interfaceIndex(String name) {
        Transport.selected();
        int index;
        try {
            index = indexOf(fd(), name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (index < 0) {
            throw new IllegalArgumentException("no interface '" + name + "' in " + this);
        }
        return index;
    }

    /**
     * The name of interface {@code index} in this namespace, or null. Names are bytes: read as
     * UTF-8, a byte that is not becomes U+FFFD, as in {@link org.mptcp4j.protocol.MptcpEvent#interfaceName()}.
     *
     * @param index the interface's index
     * @return its name, or null
     */
    public String interfaceName(int index) {
        Transport.selected();
        try {
            byte[] name = nameOf(fd(), index);
            return name == null ? null : new String(name, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Runs {@code action} on the calling thread inside this namespace, then returns the thread
     * to its own. For JDK calls that read the thread's namespace (network interfaces, /proc/sys/net);
     * {@code action} must not start threads or keep sockets it expects in the old namespace.
     *
     * @param <T> the result's type
     * @param action what to run in this namespace
     * @return what {@code action} returned
     * @throws Exception what {@code action} threw
     */
    public <T> T call(Callable<T> action) throws Exception {
        int target = fd();
        if (target < 0) {
            return action.call();
        }
        int saved = enterFd(target);
        try {
            return action.call();
        } finally {
            leaveTo(saved);
        }
    }

    @Override
    public void close() {
        if (this == CURRENT) {
            return;
        }
        int f = fd;
        if (f >= 0) {
            fd = -2;
            Transport.linux().close(f);
        }
    }

    @Override
    public String toString() {
        return this == CURRENT ? "the current network namespace" : "network namespace " + name;
    }

    // The system calls go to the transport in use (JNI or FFM); the steps are these, once.

    private static int openFile(String path) throws IOException {
        LinuxCalls linux = Transport.linux();
        int fd = check(linux.open(path, LinuxCalls.O_RDONLY | LinuxCalls.O_CLOEXEC), "open network namespace");
        // Refuse other files now rather than fail obscurely at the first setns().
        int type = linux.namespaceType(fd);
        if (type != LinuxCalls.CLONE_NEWNET) {
            linux.close(fd);
            check(type < 0 ? type : -Errno.EINVAL, "not a network namespace");
        }
        return fd;
    }

    private static int duplicateFd(int fd) throws IOException {
        return check(Transport.linux().duplicate(fd), "duplicate network namespace descriptor");
    }

    private static int enterFd(int fd) throws IOException {
        return check(NamespaceEntry.enter(Transport.linux(), fd), "setns(CLONE_NEWNET)");
    }

    private static void leaveTo(int saved) {
        NamespaceEntry.leave(Transport.linux(), saved);
    }

    private static long inodeOf(int fd) throws IOException {
        long inode = Transport.linux().inode(fd);
        check((int) Math.min(inode, 0), "stat network namespace");
        return inode;
    }

    private static int indexOf(int fd, String name) throws IOException {
        LinuxCalls linux = Transport.linux();
        int saved = check(NamespaceEntry.enter(linux, fd), "enter network namespace");
        try {
            return linux.interfaceIndex(name);
        } finally {
            NamespaceEntry.leave(linux, saved);
        }
    }

    private static byte[] nameOf(int fd, int index) throws IOException {
        LinuxCalls linux = Transport.linux();
        int saved = check(NamespaceEntry.enter(linux, fd), "enter network namespace");
        try {
            return linux.interfaceName(index);
        } finally {
            NamespaceEntry.leave(linux, saved);
        }
    }

    /** {@code rc}, or for a negative errno an IOException "operation: text (NAME)". */
    private static int check(int rc, String operation) throws IOException {
        if (rc < 0 && rc != NamespaceEntry.STAYED) {
            throw new IOException(operation + ": " + Errno.text(-rc) + " (" + Errno.name(-rc) + ")");
        }
        return rc;
    }
}
