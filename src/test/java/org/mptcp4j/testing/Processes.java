package org.mptcp4j.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the mptcp4j command in a separate JVM, as a user would. */
public final class Processes {
    private Processes() {}

    public record Result(int exit, String out, String err) {}

    /** {@code java -cp <classes>[:<platform folder>] [jvmOptions] org.mptcp4j.cli.Main args}, optionally wrapped. */
    public static Result mptcp4j(List<String> wrapper, List<String> jvmOptions, boolean platformJarOnClassPath,
            String... args) throws IOException, InterruptedException {
        return run(command(wrapper, jvmOptions, platformJarOnClassPath, args));
    }

    /** The command line of {@link #mptcp4j}, to start it without waiting. */
    public static List<String> command(List<String> wrapper, List<String> jvmOptions, boolean platformJarOnClassPath,
            String... args) {
        String classpath = System.getProperty("mptcp4j.test.classpath");
        if (platformJarOnClassPath) {
            classpath += ":" + System.getProperty("mptcp4j.test.nativeClasses");
        }
        List<String> command = new ArrayList<>(wrapper);
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", classpath, "org.mptcp4j.cli.Main"));
        command.addAll(List.of(args));
        return command;
    }

    public static Result run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).start();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(command + " did not exit");
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }
}
