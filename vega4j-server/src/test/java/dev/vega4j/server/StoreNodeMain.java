package dev.vega4j.server;

import dev.vega4j.pipeline.Pipeline;
import dev.vega4j.pipeline.Pipelines;
import dev.vega4j.server.store.StoreUrl;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One node of {@code vega serve --store} in its own JVM, for {@link ScaleOutTest}: {@code role storeUrl leaseSeconds
 * queue key:quota,... [slug=modelDir]}. Prints {@code READY <port>} once it serves, and stops gracefully when its
 * standard input closes (or dies with the signal the test sends).
 */
public final class StoreNodeMain {
    private StoreNodeMain() {}

    public static void main(String[] args) throws Exception {
        ServerRole role = ServerRole.parse(args[0]);
        StoreSettings settings = new StoreSettings(StoreUrl.parse(args[1], null), role,
                Duration.ofSeconds(Integer.parseInt(args[2])), StoreSettings.DEFAULT_MAX_ATTEMPTS,
                StoreSettings.DEFAULT_SYNC_TIMEOUT);
        ServerConfig config = ServerConfig.builder().port(0).queueCapacity(Integer.parseInt(args[3]))
                .keys(ApiKeys.parseList(args[4])).shutdownGrace(Duration.ofSeconds(5))
                .build();
        Map<String, Pipeline> pipelines = new LinkedHashMap<>();
        if (args.length > 5) {
            String[] model = args[5].split("=", 2);
            pipelines.put(model[0], Pipelines.load(model[1]));
        }
        VegaServer server = VegaServer.start(config, pipelines, RequestFeatures.NONE, settings);
        System.out.println("READY " + server.port() + " " + (server.workerId() == null ? "-" : server.workerId()));
        System.out.flush();
        while (System.in.read() >= 0) {
            // runs until the test closes our input
        }
        server.stop();
    }
}
