package dev.vega4j.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What the OS says about this process: resident memory (Linux {@code /proc/self/status}) and CPU time. */
public final class ProcessStats {
    private ProcessStats() {}

    /** Peak resident set size so far ({@code VmHWM}) in bytes, or -1 where /proc is not available. */
    public static long peakResidentBytes() {
        return statusKb("VmHWM:");
    }

    /** Current resident set size ({@code VmRSS}) in bytes, or -1. */
    public static long residentBytes() {
        return statusKb("VmRSS:");
    }

    /** CPU time of every thread of the process so far, in nanoseconds (0 when the JVM cannot tell). */
    public static long cpuNanos() {
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os) {
            return Math.max(0, os.getProcessCpuTime());
        }
        return 0;
    }

    /**
     * CPU time of this process's finished, waited-for child processes (and theirs) so far, in seconds ({@code cutime +
     * cstime} of Linux {@code /proc/self/stat}, in USER_HZ = 100 ticks a second); NaN where /proc is not available.
     */
    public static double childrenCpuSeconds() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            // fields after the command name, which is in parentheses and may hold spaces: state is field 3
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[16 - 3]) + Long.parseLong(f[17 - 3])) / 100.0;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    private static long statusKb(String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(key)) {
                    String v = line.substring(key.length()).trim();
                    return Long.parseLong(v.substring(0, v.indexOf(' '))) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
