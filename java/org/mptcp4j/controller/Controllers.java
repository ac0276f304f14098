package org.mptcp4j.controller;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;

/** The controllers that can be named: mptcp4j's own and those on the class path or module path. */
public final class Controllers {
    private Controllers() {}

    /**
     * Every provider found, by name.
     *
     * @return the providers
     */
    public static List<ControllerProvider> providers() {
        List<ControllerProvider> providers = new ArrayList<>();
        ServiceLoader.load(ControllerProvider.class, Controllers.class.getClassLoader()).forEach(providers::add);
        // A class-path jar is also seen through the thread's loader (a plugin directory, a test).
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        if (context != null && context != Controllers.class.getClassLoader()) {
            for (ControllerProvider p : ServiceLoader.load(ControllerProvider.class, context)) {
                if (providers.stream().noneMatch(known -> known.name().equals(p.name()))) {
                    providers.add(p);
                }
            }
        }
        providers.sort(Comparator.comparing(ControllerProvider::name));
        return providers;
    }

    /**
     * The provider named {@code name}.
     *
     * @param name the controller's name
     * @return the provider, or empty
     */
    public static Optional<ControllerProvider> provider(String name) {
        return providers().stream().filter(p -> p.name().equals(name)).findFirst();
    }

    /**
     * A new controller named {@code name} with {@code parameters}.
     *
     * @param name the controller's name
     * @param parameters the controller's parameters
     * @return the controller
     * @throws IllegalArgumentException when no controller has that name (the message lists
     *     those there are) or a parameter is wrong
     */
    public static Controller create(String name, Map<String, String> parameters) {
        ControllerProvider provider = provider(name).orElseThrow(() -> new IllegalArgumentException(
                "no controller named '" + name + "' (there are: " + String.join(", ", names()) + ")"));
        return provider.create(ControllerParameters.of(name, parameters));
    }

    /**
     * The names of every controller found.
     *
     * @return the names
     */
    public static List<String> names() {
        return providers().stream().map(ControllerProvider::name).toList();
    }
}
