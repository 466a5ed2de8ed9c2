package dev.vega4j.tensor.kernels;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * The one template every {@code MicroKernel<rows>x<vectors>} source is unrolled from. {@link MicroKernelSourcesTest}
 * checks that the committed sources are exactly its output; to add or change a shape, edit this and run
 * {@code main} with the kernels' source folder.
 */
public final class MicroKernelTemplate {
    private MicroKernelTemplate() {}

    private enum Start { C, INIT_ROW, INIT_COLUMN }

    public static String className(int mr, int nv) {
        return "MicroKernel" + mr + "x" + nv;
    }

    /** The Java source of the {@code mr} x {@code nv}-vector kernel. */
    public static String source(int mr, int nv) {
        List<String> out = new ArrayList<>();
        out.add("package dev.vega4j.tensor.kernels;");
        out.add("");
        out.add("import static dev.vega4j.tensor.kernels.Lanes.L;");
        out.add("import static dev.vega4j.tensor.kernels.Lanes.S;");
        out.add("");
        out.add("import jdk.incubator.vector.FloatVector;");
        out.add("");
        out.add("/**");
        out.add(" * The " + mr + " x " + nv + "-vector register tile (" + mr + " x " + nv * 16 + " on AVX-512, " + mr
                + " x " + nv * 8 + " on AVX2): " + mr * nv + " accumulators, " + nv + " B");
        out.add(" * vectors and one broadcast A value live in registers. Unrolled mechanically from the one template"
                + " every");
        out.add(" * {@link MicroKernel} shares (see there for the contract: one fused multiply-add per k in ascending k"
                + " order).");
        out.add(" */");
        out.add("final class " + className(mr, nv) + " implements MicroKernel {");
        out.add("");
        out.add("    @Override");
        out.add("    public int mr() {");
        out.add("        return " + mr + ";");
        out.add("    }");
        out.add("");
        out.add("    @Override");
        out.add("    public int vectors() {");
        out.add("        return " + nv + ";");
        out.add("    }");
        String std = "float[] a, int aOff, float[] b, int bOff, int bStride, int kc, float[] c, int cOff,\n"
                + "            int ldc";
        String init = "float[] a, int aOff, float[] b, int bOff, int bStride, int kc,\n"
                + "            float[] init, int initOff, float[] c, int cOff, int ldc";
        IntFunction<String> packed = i -> i == 0 ? "ao" : "ao + " + i;
        IntFunction<String> rows = i -> i == 0 ? "ao" : "ao + " + i + " * ROW_A_STRIDE";
        method(out, mr, nv, "kernelPacked", std, Start.C, packed, Integer.toString(mr));
        method(out, mr, nv, "kernelPackedInit", init, Start.INIT_ROW, packed, Integer.toString(mr));
        method(out, mr, nv, "kernelPackedRowInit", init, Start.INIT_COLUMN, packed, Integer.toString(mr));
        method(out, mr, nv, "kernelRowsA", std, Start.C, rows, "1");
        out.add("}");
        return String.join("\n", out) + "\n";
    }

    private static String acc(int i, int j) {
        return "c" + i + "_" + j;
    }

    private static String cIndex(int i, int j) {
        return "cOff + " + i + " * ldc" + (j > 0 ? " + " + j + " * L" : "");
    }

    private static void method(List<String> out, int mr, int nv, String name, String params, Start start,
            IntFunction<String> aIndex, String aStep) {
        out.add("");
        out.add("    @Override");
        out.add("    public void " + name + "(" + params + ") {");
        switch (start) {
            case C -> {
                for (int i = 0; i < mr; i++) {
                    for (int j = 0; j < nv; j++) {
                        out.add("        FloatVector " + acc(i, j) + " = FloatVector.fromArray(S, c, " + cIndex(i, j)
                                + ");");
                    }
                }
            }
            case INIT_ROW -> {
                for (int j = 0; j < nv; j++) {
                    out.add("        FloatVector i" + j + " = FloatVector.fromArray(S, init, initOff"
                            + (j > 0 ? " + " + j + " * L" : "") + ");");
                }
                for (int i = 0; i < mr; i++) {
                    StringBuilder line = new StringBuilder("        FloatVector ");
                    for (int j = 0; j < nv; j++) {
                        line.append(j > 0 ? ", " : "").append(acc(i, j)).append(" = i").append(j);
                    }
                    out.add(line.append(";").toString());
                }
            }
            case INIT_COLUMN -> {
                for (int i = 0; i < mr; i++) {
                    StringBuilder line = new StringBuilder("        FloatVector " + acc(i, 0)
                            + " = FloatVector.broadcast(S, init[initOff + " + i + "])");
                    for (int j = 1; j < nv; j++) {
                        line.append(", ").append(acc(i, j)).append(" = ").append(acc(i, 0));
                    }
                    out.add(line.append(";").toString());
                }
            }
        }
        out.add("        int ao = aOff, bo = bOff;");
        out.add("        for (int k = 0; k < kc; k++) {");
        for (int j = 0; j < nv; j++) {
            out.add("            FloatVector b" + j + " = FloatVector.fromArray(S, b, bo"
                    + (j > 0 ? " + " + j + " * L" : "") + ");");
        }
        for (int i = 0; i < mr; i++) {
            out.add("            FloatVector a" + i + " = FloatVector.broadcast(S, a[" + aIndex.apply(i) + "]);");
            for (int j = 0; j < nv; j++) {
                out.add("            " + acc(i, j) + " = a" + i + ".fma(b" + j + ", " + acc(i, j) + ");");
            }
        }
        out.add("            ao += " + aStep + ";");
        out.add("            bo += bStride;");
        out.add("        }");
        for (int i = 0; i < mr; i++) {
            for (int j = 0; j < nv; j++) {
                out.add("        " + acc(i, j) + ".intoArray(c, " + cIndex(i, j) + ");");
            }
        }
        out.add("    }");
    }

    /** Writes every candidate's source into {@code args[0]} (the kernels package folder). */
    public static void main(String[] args) throws IOException {
        for (MicroKernel k : MicroKernels.CANDIDATES) {
            Files.writeString(Path.of(args[0], className(k.mr(), k.vectors()) + ".java"),
                    source(k.mr(), k.vectors()));
        }
    }
}
