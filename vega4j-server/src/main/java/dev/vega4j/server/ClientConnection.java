package dev.vega4j.server;

import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletRequestWrapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.function.BooleanSupplier;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.BufferUtil;

/**
 * Tells whether the HTTP client of a blocked synchronous request is still there. Jetty only notices a closed socket
 * when it reads or writes, and it does neither while our handler waits for the engine, so we probe: a non-blocking
 * read of the (fully consumed) request's connection returns -1 once the client has closed it.
 * <p>
 * A client that pipelines its next request on the same connection would have those bytes read here; we then stop
 * probing (and treat the client as connected) rather than corrupt the stream. Clients that pipeline are rare. A client
 * that half-closes its side after sending the request (some netcat-style tools) looks disconnected and is cancelled;
 * HTTP clients (curl, browsers, Python requests, Java's HttpClient) do not do that.
 */
final class ClientConnection {
    private ClientConnection() {}

    /** A check that returns true once the client is known to be gone. */
    static BooleanSupplier disconnectProbe(ServletRequest req) {
        while (req instanceof ServletRequestWrapper w) {
            req = w.getRequest();
        }
        Request base = Request.getBaseRequest(req);
        if (base == null || base.getHttpChannel() == null) {
            return () -> false;
        }
        EndPoint endPoint = base.getHttpChannel().getEndPoint();
        ByteBuffer buffer = BufferUtil.allocate(1);
        boolean[] gaveUp = {false};
        return () -> {
            if (gaveUp[0]) {
                return false;
            }
            if (!endPoint.isOpen()) {
                return true;
            }
            try {
                BufferUtil.clear(buffer);
                int n = endPoint.fill(buffer);
                if (n > 0) {
                    gaveUp[0] = true;
                }
                return n < 0;
            } catch (IOException | RuntimeException e) {
                return true;
            }
        };
    }
}
