package dev.vega4j.tensor;

/** Finds the Vector API implementation; until it exists (or if the module is missing) falls back to the reference. */
final class FastOpsLoader {
    private FastOpsLoader() {}

    static TensorOps loadOrReference() {
        try {
            Class<?> c = Class.forName("dev.vega4j.tensor.VectorOps");
            return (TensorOps) c.getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | LinkageError e) {
            return new ReferenceOps();
        }
    }
}
