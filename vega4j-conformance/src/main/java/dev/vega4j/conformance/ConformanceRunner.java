package dev.vega4j.conformance;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/**
 * Runs conformance groups against a golden folder and prints one line per group:
 * {@code GROUP passed/total worst=<max metric> (case id)} and finally {@code N passed, N failed}. The CLI command
 * {@code vega conformance} and the JUnit tests both go through here, so they can never disagree.
 */
public final class ConformanceRunner {
    /** Every group the golden data has, in computation order; groups without an implementation are reported so. */
    public static final List<String> KNOWN_GROUPS = List.of("tokenizer", "rng", "schedulers",
            "schedulers_ext", "text_encoders", "encode_prompt", "unet", "vae", "pipelines", "img2img", "inpaint", "lora");

    private final Path goldenRoot;
    private final PrintStream out;
    private final boolean verbose;

    public ConformanceRunner(Path goldenRoot, PrintStream out, boolean verbose) {
        this.goldenRoot = goldenRoot;
        this.out = out;
        this.verbose = verbose;
    }

    public static Map<String, ConformanceGroup> implementations() {
        Map<String, ConformanceGroup> map = new TreeMap<>();
        for (ConformanceGroup g : ServiceLoader.load(ConformanceGroup.class)) {
            map.put(g.name(), g);
        }
        return map;
    }

    /** Outcome of one group. {@code implemented == false} means vega4j has no such component yet. */
    public record GroupResult(String group, boolean implemented, List<CaseResult> cases) {
        public long passed() {
            return cases.stream().filter(CaseResult::passed).count();
        }

        public long failed() {
            return cases.size() - passed();
        }

        public boolean ok() {
            return implemented && failed() == 0;
        }
    }

    /** Runs one group (whatever cases its manifest lists) and prints its line. */
    public GroupResult runGroup(String name) {
        ConformanceGroup impl = implementations().get(name);
        if (impl == null) {
            out.println(name + " not-implemented");
            return new GroupResult(name, false, List.of());
        }
        if (!Files.isRegularFile(Golden.group(goldenRoot, name).resolve("manifest.json"))) {
            out.println(name + " no-data (no " + Golden.group(goldenRoot, name).resolve("manifest.json") + ")");
            return new GroupResult(name, true, List.of());
        }
        GoldenGroup group = GoldenGroup.load(goldenRoot, name);
        List<CaseResult> results;
        try {
            results = impl.run(group);
        } catch (RuntimeException e) {
            results = List.of(CaseResult.error("(group)", e.toString()));
        } finally {
            group.cases().forEach(GoldenCase::close);
        }
        GroupResult gr = new GroupResult(name, true, results);
        CaseResult worst = null;
        for (CaseResult r : results) {
            if (worst == null || r.worst() > worst.worst() || (!r.passed() && worst.passed())) {
                worst = r;
            }
        }
        out.printf("%s %d/%d worst=%s%s%n", name, gr.passed(), results.size(),
                worst == null ? "-" : String.format("%.3g", worst.worstMetric()),
                worst == null ? "" : " (" + worst.caseId() + ")");
        for (CaseResult r : results) {
            if (!r.passed() || verbose) {
                out.println("  " + r.summary());
            }
        }
        return gr;
    }

    /** Runs the named groups (all known ones when empty); returns true when nothing failed. */
    public boolean runAll(List<String> groups) {
        List<String> names = groups.isEmpty() ? allGroupNames() : groups;
        long passed = 0, failed = 0;
        List<GroupResult> results = new ArrayList<>();
        for (String g : names) {
            GroupResult r = runGroup(g);
            results.add(r);
            passed += r.passed();
            failed += r.failed();
        }
        out.println(passed + " passed, " + failed + " failed");
        return failed == 0;
    }

    private static List<String> allGroupNames() {
        List<String> names = new ArrayList<>(KNOWN_GROUPS);
        for (String g : implementations().keySet()) {
            if (!names.contains(g)) {
                names.add(g);
            }
        }
        return names;
    }
}
