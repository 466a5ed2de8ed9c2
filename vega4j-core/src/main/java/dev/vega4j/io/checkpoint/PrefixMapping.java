package dev.vega4j.io.checkpoint;

import java.util.ArrayList;
import java.util.List;

/**
 * A mapping made of module pairs ("{@code input_blocks.1.0}" ↔ "{@code down_blocks.0.resnets.0}"), each with the
 * renaming of the names inside the module ({@link Local}). This is the shape of diffusers' {@code convert_from_ckpt.py}
 * conversions: a global block renaming plus a local one per block kind.
 */
final class PrefixMapping implements NameMapping {

    /** A module in both layouts and how names inside it are renamed. */
    record Rule(String diffusers, String singleFile, Local local) {}

    /** Renaming inside one module: (single-file sub-module, diffusers sub-module, transform of its weight). */
    record Local(List<Entry> entries, boolean identity) {
        record Entry(String singleFile, String diffusers, Transform weightTransform) {}

        /** Every name inside the module is the same in both layouts. */
        static final Local SAME = new Local(List.of(), true);

        static Local of(String... pairs) {
            List<Entry> es = new ArrayList<>();
            for (int i = 0; i < pairs.length; i += 2) {
                es.add(new Entry(pairs[i], pairs[i + 1], Transform.IDENTITY));
            }
            return new Local(List.copyOf(es), false);
        }

        Local with(String singleFile, String diffusers, Transform weightTransform) {
            List<Entry> es = new ArrayList<>(entries);
            es.add(new Entry(singleFile, diffusers, weightTransform));
            return new Local(List.copyOf(es), false);
        }

        Mapped toDiffusers(String name) {
            if (identity) {
                return Mapped.same(name);
            }
            for (Entry e : entries) {
                if (name.startsWith(e.singleFile + ".")) {
                    String rest = name.substring(e.singleFile.length() + 1);
                    return new Mapped(e.diffusers + "." + rest, rest.equals("weight") ? e.weightTransform : Transform.IDENTITY);
                }
            }
            return null;
        }

        Mapped toSingleFile(String name) {
            if (identity) {
                return Mapped.same(name);
            }
            for (Entry e : entries) {
                if (name.startsWith(e.diffusers + ".")) {
                    String rest = name.substring(e.diffusers.length() + 1);
                    return new Mapped(e.singleFile + "." + rest, rest.equals("weight") ? e.weightTransform : Transform.IDENTITY);
                }
            }
            return null;
        }
    }

    private final List<Rule> rules;

    PrefixMapping(List<Rule> rules) {
        this.rules = List.copyOf(rules);
    }

    List<Rule> rules() {
        return rules;
    }

    @Override
    public List<Mapped> toDiffusers(String name) {
        for (Rule r : rules) {
            if (name.startsWith(r.singleFile + ".")) {
                Mapped m = r.local.toDiffusers(name.substring(r.singleFile.length() + 1));
                return m == null ? List.of() : List.of(new Mapped(r.diffusers + "." + m.name(), m.transform()));
            }
        }
        return List.of();
    }

    @Override
    public Mapped toSingleFile(String name) {
        for (Rule r : rules) {
            if (name.startsWith(r.diffusers + ".")) {
                Mapped m = r.local.toSingleFile(name.substring(r.diffusers.length() + 1));
                return m == null ? null : new Mapped(r.singleFile + "." + m.name(), m.transform());
            }
        }
        return null;
    }
}
