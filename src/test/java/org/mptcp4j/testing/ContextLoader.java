package org.mptcp4j.testing;

import java.lang.ref.WeakReference;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.concurrent.Callable;

/**
 * A class loader of plugins, as the daemon's thread has for its context loader once it has read
 * a plugin directory, and whether it can be collected once the daemon has let go of it.
 */
public final class ContextLoader {
    private ContextLoader() {}

    /**
     * Runs {@code start} with a new class loader as the thread's context loader, then puts the
     * thread's own back; a weak reference to the loader, which nothing else holds.
     */
    public static <T> WeakReference<ClassLoader> whileStarting(Callable<T> start) throws Exception {
        Thread thread = Thread.currentThread();
        ClassLoader own = thread.getContextClassLoader();
        ClassLoader plugins = new URLClassLoader("plugins", new URL[0], own);
        thread.setContextClassLoader(plugins);
        try {
            start.call();
        } finally {
            thread.setContextClassLoader(own);
        }
        return new WeakReference<>(plugins);
    }

    /** Whether what {@code reference} names is collected after some rounds of GC (a bound, not a timing). */
    public static boolean collected(WeakReference<?> reference) throws InterruptedException {
        for (int i = 0; i < 50 && reference.get() != null; i++) {
            System.gc();
            Thread.sleep(20);
        }
        return reference.get() == null;
    }
}
