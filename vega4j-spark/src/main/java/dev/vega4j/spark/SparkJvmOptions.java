package dev.vega4j.spark;

import java.util.List;

/**
 * The JVM options an executor needs: the engine's (the Vector API module and the JIT rules its kernels depend on, see
 * the parent pom's {@code vega.jvmFlags}) and the packages Spark reaches into on JDK 17+ (Spark's own launcher adds
 * the same {@code --add-opens} list, JavaModuleOptions; repeated here so executors get them however they are
 * started). The driver JVM needs them too: {@code ./vega} and the test JVMs set them, a spark-submit run gives them
 * with {@code --driver-java-options}.
 */
public final class SparkJvmOptions {
    private SparkJvmOptions() {}

    public static final List<String> ENGINE = List.of("--add-modules=jdk.incubator.vector",
            "--enable-native-access=ALL-UNNAMED", "-XX:CompileCommand=quiet",
            "-XX:CompileCommand=dontinline,dev.vega4j.tensor.kernels.*::kernel*",
            "-XX:CompileCommand=inline,dev.vega4j.tensor.kernels.VMath::*");

    public static final List<String> SPARK = List.of("-XX:+IgnoreUnrecognizedVMOptions",
            "--add-opens=java.base/java.lang=ALL-UNNAMED", "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED", "--add-opens=java.base/java.io=ALL-UNNAMED",
            "--add-opens=java.base/java.net=ALL-UNNAMED", "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED", "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
            "--add-opens=java.base/jdk.internal.ref=ALL-UNNAMED", "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.cs=ALL-UNNAMED", "--add-opens=java.base/sun.security.action=ALL-UNNAMED",
            "--add-opens=java.base/sun.util.calendar=ALL-UNNAMED", "-Djdk.reflect.useDirectMethodHandle=false",
            "-Dio.netty.tryReflectionSetAccessible=true");

    /** Both lists as one {@code spark.executor.extraJavaOptions} value. */
    public static String executorOptions() {
        return String.join(" ", ENGINE) + " " + String.join(" ", SPARK);
    }
}
