package dev.tollgate.sim;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * A loopback TCP relay in front of the simulator's HTTP server for {@link Fault#CONNECTION_RESET}: requests pass
 * through untouched; of each response it relays the headers and the first {@code resetAfterBodyBytes} body bytes,
 * waits a moment so the client has read them, then resets the client's connection ({@code SO_LINGER 0}: a TCP RST,
 * not an orderly close).
 */
final class ResettingProxy implements AutoCloseable {
    private static final byte[] END_OF_HEADERS = {'\r', '\n', '\r', '\n'};

    private final ServerSocket listener;
    private final int upstreamPort;
    private final int resetAfterBodyBytes;

    ResettingProxy(int upstreamPort, int resetAfterBodyBytes) throws IOException {
        this.upstreamPort = upstreamPort;
        this.resetAfterBodyBytes = resetAfterBodyBytes;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        daemon("resetting-proxy", this::accept).start();
    }

    int port() {
        return listener.getLocalPort();
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                Socket upstream = new Socket();
                upstream.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), upstreamPort));
                daemon("resetting-proxy-request", () -> copy(client, upstream)).start();
                daemon("resetting-proxy-response", () -> relayThenReset(upstream, client)).start();
            } catch (IOException e) {
                // listener closed, or the upstream refused: the client sees its connection drop
            }
        }
    }

    private static void copy(Socket from, Socket to) {
        try {
            from.getInputStream().transferTo(to.getOutputStream());
        } catch (IOException e) {
            // either side went away
        }
    }

    private void relayThenReset(Socket upstream, Socket client) {
        try (upstream) {
            InputStream in = upstream.getInputStream();
            OutputStream out = client.getOutputStream();
            int matched = 0;
            boolean inBody = false;
            long body = 0;
            int b;
            while ((b = in.read()) >= 0) {
                out.write(b);
                if (inBody) {
                    if (++body >= resetAfterBodyBytes) {
                        break;
                    }
                } else {
                    matched = b == END_OF_HEADERS[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
                    inBody = matched == END_OF_HEADERS.length;
                }
                if (in.available() == 0) {
                    out.flush();
                }
            }
            out.flush();
            Thread.sleep(200);
            client.setSoLinger(true, 0);
            client.close();
        } catch (IOException e) {
            closeQuietly(client);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closeQuietly(client);
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // already gone
        }
    }

    private static Thread daemon(String name, Runnable body) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        return thread;
    }

    @Override
    public void close() {
        try {
            listener.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }
}
