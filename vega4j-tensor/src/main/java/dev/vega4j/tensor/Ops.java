package dev.vega4j.tensor;

/**
 * Where code gets its {@link TensorOps}: the fast implementation unless {@code -Dvega.ops=reference} asks for the
 * plain-Java oracle ({@link Switches#ops()}). Tests that compare the two construct them directly.
 */
public final class Ops {
    private static volatile TensorOps current;

    private Ops() {}

    public static TensorOps get() {
        TensorOps ops = current;
        if (ops == null) {
            synchronized (Ops.class) {
                if (current == null) {
                    current = create(Switches.get().ops());
                }
                ops = current;
            }
        }
        return ops;
    }

    /** Replaces the process-wide implementation (tests, benchmarks). */
    public static void set(TensorOps ops) {
        current = ops;
    }

    static TensorOps create(Switches.OpsImplementation which) {
        return switch (which) {
            case REFERENCE -> new ReferenceOps();
            case FAST -> FastOpsLoader.loadOrReference();
        };
    }
}
