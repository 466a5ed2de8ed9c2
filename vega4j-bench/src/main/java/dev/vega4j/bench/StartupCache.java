package dev.vega4j.bench;

import java.lang.management.ManagementFactory;

/** Whether this JVM started with an AOT cache ({@code -XX:AOTCache=}, which the {@code ./vega} launcher passes). */
public final class StartupCache {
    private StartupCache() {}

    public static boolean inUse() {
        try {
            return ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                    .anyMatch(a -> a.startsWith("-XX:AOTCache="));
        } catch (UnsupportedOperationException | SecurityException e) {
            return false; // no management interface: report it as not known to be in use
        }
    }
}
