package org.mptcp4j.testing;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.mptcp4j.demo.Shell;
import org.mptcp4j.natives.Transport;

/** Runs the mptcp4j command in a separate JVM, as a user would. */
public final class Processes {
    private Processes() {}

    /** The JVM option that has a child process load libmptcp4j.so from the build. */
    public static String nativeLibraryPath() {
        return "-Djava.library.path=" + System.getProperty("mptcp4j.test.nativeDir");
    }

    /** {@code java -cp <classes>[:<platform folder>] [jvmOptions] org.mptcp4j.cli.Main args}, optionally wrapped. */
    public static Shell.Result mptcp4j(List<String> wrapper, List<String> jvmOptions, boolean platformJarOnClassPath,
            String... args) throws IOException {
        return Shell.execute(command(wrapper, jvmOptions, platformJarOnClassPath, args));
    }

    /**
     * The same command with the tests' classes on the class path too: what a user's jar of
     * controllers is to the mptcp4j command.
     */
    public static List<String> withTestClasses(List<String> command) {
        List<String> changed = new ArrayList<>(command);
        int cp = changed.indexOf("-cp");
        changed.set(cp + 1, changed.get(cp + 1) + ":" + System.getProperty("mptcp4j.test.testClasses"));
        return changed;
    }

    /** What bin/mptcp4j passes for the FFM transport. */
    private static final List<String> FFM_OPTIONS = List.of("-Dmptcp4j.transport=ffm",
            "--enable-native-access=ALL-UNNAMED", "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED");

    /** The options that start a child JVM on the transport under test, as bin/mptcp4j starts it. */
    static List<String> transportOptions() {
        return Transport.foreign() ? FFM_OPTIONS : List.of();
    }

    /** The command line of {@link #mptcp4j}, to start it without waiting. */
    public static List<String> command(List<String> wrapper, List<String> jvmOptions, boolean platformJarOnClassPath,
            String... args) {
        return java(wrapper, jvmOptions, platformJarOnClassPath, "org.mptcp4j.cli.Main", args);
    }

    /** {@code java -cp <classes>[:<platform folder>] [jvmOptions] mainClass args}, optionally wrapped. */
    public static List<String> java(List<String> wrapper, List<String> jvmOptions, boolean platformJarOnClassPath,
            String mainClass, String... args) {
        String classpath = System.getProperty("mptcp4j.test.classpath");
        if (platformJarOnClassPath) {
            classpath += ":" + System.getProperty("mptcp4j.test.nativeClasses");
        }
        List<String> command = new ArrayList<>(wrapper);
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(transportOptions());
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", classpath, mainClass));
        command.addAll(List.of(args));
        return command;
    }
}
