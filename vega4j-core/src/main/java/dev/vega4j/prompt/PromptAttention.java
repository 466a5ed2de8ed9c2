package dev.vega4j.prompt;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * AUTOMATIC1111's prompt emphasis syntax, parsed exactly as its {@code modules/prompt_parser.py}
 * ({@code parse_prompt_attention}) does:
 * <ul>
 *   <li>{@code (text)} multiplies the weight of {@code text} by 1.1, {@code ((text))} by 1.1² = 1.21, ...</li>
 *   <li>{@code [text]} divides it by 1.1</li>
 *   <li>{@code (text:1.3)} multiplies it by 1.3 (any decimal, also negative or {@code .5})</li>
 *   <li>{@code \(}, {@code \)}, {@code \[}, {@code \]}, {@code \\} are the literal characters</li>
 *   <li>an unclosed {@code (} or {@code [} applies to the rest of the prompt; an unmatched {@code )} or {@code ]} is
 *       literal text</li>
 *   <li>{@code BREAK} (upper case, a word of its own) ends the current 75-token chunk ({@link Fragment#isBreak()})</li>
 * </ul>
 * Weights multiply in Python {@code float} (double) arithmetic in the same order as A1111, so
 * {@code a (((house:1.3)) [on] a (hill:0.5), sun, (((sky))).} gives exactly its documented
 * {@code [['a ', 1.0], ['house', 1.5730000000000004], [' ', 1.1], ['on', 1.0], [' a ', 1.1], ['hill', 0.55],
 * [', sun, ', 1.1], ['sky', 1.4641000000000006], ['.', 1.1]]}. Adjacent fragments of equal weight are merged.
 */
public final class PromptAttention {
    private PromptAttention() {}

    /** A piece of prompt text and its weight; {@link #isBreak()} marks a {@code BREAK}. */
    public record Fragment(String text, double weight) {
        static final Fragment BREAK = new Fragment("BREAK", -1);

        public boolean isBreak() {
            return weight == -1 && "BREAK".equals(text);
        }
    }

    // A1111's re_attention, alternative by alternative (Python's re.X syntax without the comments).
    private static final Pattern ATTENTION = Pattern.compile(
            "\\\\\\(|\\\\\\)|\\\\\\[|\\\\]|\\\\\\\\|\\\\|\\(|\\[|:\\s*([+-]?[.\\d]+)\\s*\\)|\\)|]|[^\\\\()\\[\\]:]+|:",
            Pattern.UNICODE_CHARACTER_CLASS);
    private static final Pattern BREAK = Pattern.compile("\\s*\\bBREAK\\b\\s*",
            Pattern.DOTALL | Pattern.UNICODE_CHARACTER_CLASS);
    private static final double ROUND = 1.1;
    private static final double SQUARE = 1 / 1.1;

    public static List<Fragment> parse(String text) {
        List<String> texts = new ArrayList<>();
        List<Double> weights = new ArrayList<>();
        List<Integer> round = new ArrayList<>();
        List<Integer> square = new ArrayList<>();
        Matcher m = ATTENTION.matcher(text);
        while (m.find()) {
            String t = m.group(0);
            String weight = m.group(1);
            if (t.startsWith("\\")) {
                texts.add(t.substring(1));
                weights.add(1.0);
            } else if (t.equals("(")) {
                round.add(texts.size());
            } else if (t.equals("[")) {
                square.add(texts.size());
            } else if (weight != null && !round.isEmpty()) {
                multiply(weights, round.removeLast(), parseFloat(weight, t));
            } else if (t.equals(")") && !round.isEmpty()) {
                multiply(weights, round.removeLast(), ROUND);
            } else if (t.equals("]") && !square.isEmpty()) {
                multiply(weights, square.removeLast(), SQUARE);
            } else {
                String[] parts = splitBreak(t);
                for (int i = 0; i < parts.length; i++) {
                    if (i > 0) {
                        texts.add(Fragment.BREAK.text());
                        weights.add(Fragment.BREAK.weight());
                    }
                    texts.add(parts[i]);
                    weights.add(1.0);
                }
            }
        }
        for (int pos : round) {
            multiply(weights, pos, ROUND);
        }
        for (int pos : square) {
            multiply(weights, pos, SQUARE);
        }
        if (texts.isEmpty()) {
            texts.add("");
            weights.add(1.0);
        }
        for (int i = 0; i < texts.size(); i++) {
            // the text encoder's hidden states are float32: a weight beyond its range (a 40-digit weight, or
            // nested ones multiplying up) would turn them into infinities and the image into NaN
            double w = weights.get(i);
            if (!Float.isFinite((float) w)) {
                throw new PromptSyntaxException("emphasis weight " + w + " of '" + abbreviate(texts.get(i))
                        + "' is out of range (the weights of nested brackets multiply; keep them within +-3.4e38)");
            }
        }
        List<Fragment> out = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            Fragment prev = out.isEmpty() ? null : out.getLast();
            // merge runs of identical weights (BREAK markers merge too, as in A1111, but then stay markers)
            if (prev != null && prev.weight() == weights.get(i)) {
                out.set(out.size() - 1, new Fragment(prev.text() + texts.get(i), prev.weight()));
            } else {
                out.add(new Fragment(texts.get(i), weights.get(i)));
            }
        }
        return out;
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }

    /** Python's {@code re.split(re_break, text)}: keeps empty leading/trailing parts. */
    private static String[] splitBreak(String t) {
        return BREAK.split(t, -1);
    }

    /** Python's {@code float(weight)} for the {@code [+-]?[.\d]+} the pattern admits ("1.2.3" is a ValueError there). */
    private static double parseFloat(String w, String token) {
        StringBuilder ascii = new StringBuilder(w.length());
        w.codePoints().forEach(c -> ascii.append(Character.isDigit(c) ? (char) ('0' + Character.digit(c, 10))
                : (char) c)); // Python's float() reads any Unicode decimal digit
        try {
            return Double.parseDouble(ascii.toString());
        } catch (NumberFormatException e) {
            throw new PromptSyntaxException("invalid emphasis weight '" + w + "' in '" + token + "'");
        }
    }

    private static void multiply(List<Double> weights, int from, double factor) {
        for (int p = from; p < weights.size(); p++) {
            weights.set(p, weights.get(p) * factor);
        }
    }
}
