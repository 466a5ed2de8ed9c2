package dev.vega4j.cli;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * A one-line progress bar for a terminal ({@code \r} redraws, at most ten a second) that degrades to occasional plain
 * lines when the output is a file or a pipe, so logs stay readable:
 * <pre>
 * denoise  48% [##############..............] 12/25  1.31 it/s  ETA 0:10
 * download 35% [##########..................] 2.4/6.9 GB  41.2 MB/s  ETA 1:49
 * </pre>
 */
final class ProgressBar {
    enum Unit { STEPS, BYTES }

    private static final int WIDTH = 28;
    private static final long REDRAW_NANOS = 100_000_000L;

    private final PrintWriter out;
    private final boolean terminal;
    private final Unit unit;
    private String label = "";
    private long total;
    private long current;
    private long startNanos;
    private long lastDrawNanos;
    private int lastPlainDecile = -1;
    private int lastLineLength;
    private boolean active;

    ProgressBar(PrintWriter out, boolean terminal, Unit unit) {
        this.out = out;
        this.terminal = terminal;
        this.unit = unit;
    }

    /** Whether this process writes to an interactive terminal (not a pipe or file). */
    static boolean isTerminal() {
        var console = System.console();
        return console != null && console.isTerminal();
    }

    void start(String newLabel, long newTotal) {
        this.label = newLabel;
        this.total = newTotal;
        this.current = 0;
        this.startNanos = System.nanoTime();
        this.lastDrawNanos = 0;
        this.lastPlainDecile = -1;
        this.active = true;
    }

    /** Progress so far; {@code ratePerSecond} &lt; 0 = computed from the elapsed time. */
    void update(long value, double ratePerSecond) {
        current = value;
        long now = System.nanoTime();
        if (terminal) {
            if (now - lastDrawNanos >= REDRAW_NANOS || value >= total) {
                lastDrawNanos = now;
                draw(line(now, ratePerSecond));
            }
        } else {
            // plain output: every step for step counts, every 10 % for bytes
            int decile = total <= 0 ? 0 : (int) Math.min(10, value * 10 / total);
            if (unit == Unit.STEPS || decile > lastPlainDecile) {
                lastPlainDecile = decile;
                out.println(line(now, ratePerSecond).strip());
                out.flush();
            }
        }
    }

    void update(long value) {
        update(value, -1);
    }

    /** Prints a message without tearing the bar. */
    void message(String text) {
        if (terminal && active) {
            out.print("\r" + " ".repeat(lastLineLength) + "\r");
        }
        out.println(text);
        if (terminal && active) {
            draw(line(System.nanoTime(), -1));
        }
        out.flush();
    }

    void finish() {
        if (!active) {
            return;
        }
        active = false;
        if (terminal) {
            draw(line(System.nanoTime(), -1));
            out.println();
        } else if (unit == Unit.BYTES && lastPlainDecile < 10) {
            out.println(line(System.nanoTime(), -1).strip());
        }
        out.flush();
    }

    private void draw(String line) {
        int pad = Math.max(0, lastLineLength - line.length());
        out.print("\r" + line + " ".repeat(pad));
        lastLineLength = line.length();
        out.flush();
    }

    String line(long now, double ratePerSecond) {
        double seconds = (now - startNanos) / 1e9;
        double rate = ratePerSecond >= 0 ? ratePerSecond : seconds > 0 ? current / seconds : 0;
        double fraction = total > 0 ? Math.min(1, (double) current / total) : 0;
        int filled = (int) Math.round(fraction * WIDTH);
        StringBuilder sb = new StringBuilder();
        sb.append(label).append(' ').append(String.format(Locale.ROOT, "%3d%%", (int) Math.floor(fraction * 100)))
                .append(" [").append("#".repeat(filled)).append(".".repeat(WIDTH - filled)).append("] ");
        if (unit == Unit.STEPS) {
            sb.append(current).append('/').append(total).append("  ").append(stepRate(rate));
        } else {
            sb.append(bytes(current, total)).append("  ").append(bytes(Math.round(rate))).append("/s");
        }
        if (rate > 0 && current < total) {
            sb.append("  ETA ").append(duration((total - current) / rate));
        } else if (current >= total) {
            // a given rate covers the whole run (the bar may have started after the first step)
            sb.append("  ").append(duration(ratePerSecond > 0 ? current / ratePerSecond : seconds));
        }
        return sb.toString();
    }

    /** {@code 1.31 it/s}, or {@code 7.6 s/it} when slower than one step a second (CPU SDXL). */
    static String stepRate(double perSecond) {
        if (perSecond <= 0) {
            return "- it/s";
        }
        return perSecond >= 1 ? String.format(Locale.ROOT, "%.2f it/s", perSecond)
                : String.format(Locale.ROOT, "%.1f s/it", 1 / perSecond);
    }

    /** Decimal units like the Hub shows sizes. */
    static String bytes(long n) {
        if (n < 1000) {
            return n + " B";
        }
        String[] units = {"kB", "MB", "GB", "TB"};
        double v = n;
        int u = -1;
        while (v >= 1000 && u < units.length - 1) {
            v /= 1000;
            u++;
        }
        return String.format(Locale.ROOT, v >= 100 ? "%.0f %s" : "%.1f %s", v, units[u]);
    }

    private static String bytes(long n, long of) {
        return bytes(n) + "/" + bytes(of);
    }

    /** {@code m:ss} or {@code h:mm:ss}. */
    static String duration(double seconds) {
        long s = Math.max(0, Math.round(seconds));
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
