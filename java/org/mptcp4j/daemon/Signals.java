package org.mptcp4j.daemon;

import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

/**
 * Signal handlers through jdk.unsupported's sun.misc.Signal, the JDK's only way to hear SIGHUP.
 * Reached by reflection: javac warns on every direct use of sun.* and the build treats
 * warnings as errors.
 */
final class Signals {
    private Signals() {}

    /**
     * Runs {@code action} on the JVM's signal thread whenever SIG{@code name} arrives; false when
     * the signal was ignored when the process started (nohup ignores SIGHUP), which the JVM keeps
     * rather than install a handler.
     */
    static boolean handle(String name, Runnable action) {
        try {
            Class<?> signalClass = Class.forName("sun.misc.Signal");
            Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
            Object signal = signalClass.getConstructor(String.class).newInstance(name);
            Object handler = Proxy.newProxyInstance(handlerClass.getClassLoader(), new Class<?>[] {handlerClass},
                    (proxy, method, args) -> {
                        if (method.getName().equals("handle")) {
                            action.run();
                            return null;
                        }
                        return method.getName().equals("toString") ? "mptcp4j SIG" + name + " handler"
                                : method.getName().equals("hashCode") ? System.identityHashCode(proxy)
                                : Boolean.valueOf(proxy == args[0]);
                    });
            Method handle = signalClass.getMethod("handle", signalClass, handlerClass);
            Object previous = handle.invoke(null, signal, handler);
            return previous != handlerClass.getField("SIG_IGN").get(null);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new DaemonException("cannot handle SIG" + name + ": " + e, e);
        }
    }
}
