package io.theseus.server;

import com.codahale.metrics.Counter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;
import io.vertx.core.http.HttpConnection;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Slow-loris bounds for HTTP/1.x connections, in the spirit of nginx's {@code
 * client_header_timeout} and {@code client_body_timeout}: once the first byte of a request has
 * arrived its headers must be complete within {@code headerTimeoutMs}, else the connection is
 * closed; once the headers are complete the body must be complete within {@code bodyTimeoutMs}
 * plus the time its received bytes take at {@code bodyMinBytesPerSec} (every received byte buys
 * {@code 1/rate} s), else the client gets a 408 (or only a close when a response was already
 * started) and the connection is closed. A connection that was closed mid-body never completes
 * its request, so a half-received remote-write body is never ingested.
 *
 * <p>Vert.x 5 has no such option ({@code HttpServerOptions} offers only the idle timeout, which a
 * client trickling a byte at a time resets forever) and no hook for the channel initializer, but
 * {@link io.vertx.core.http.HttpServer#connectionHandler} is called on the event loop while the
 * HTTP/1.x pipeline is set up, and the connection it receives implements the internal {@code
 * HttpServerConnection} whose {@code channelHandlerContext()} gives the Netty pipeline. That
 * call comes at accept time only with h2c off ({@code setHttp2ClearTextEnabled(false)}): with h2c
 * on, Vert.x sets up the connection only once the first request's headers are decoded (to look
 * for an {@code Upgrade: h2c}), too late to clock them. Two
 * handlers go in: one before {@code httpDecoder} that sees raw bytes (a byte arriving when no
 * request is in progress starts the header clock) and one after {@code httpEncoder} that sees the
 * decoded {@link HttpRequest}/{@link LastHttpContent} (headers done, body done) and the outgoing
 * {@link HttpResponse}s. An idle keep-alive connection has no clock running and lives up to the
 * server's idle timeout.
 *
 * <p>The clock is not the client's fault, and restarts, while the server applies back-pressure
 * (the channel's auto-read is off) or, for the header clock, while an earlier pipelined request
 * still awaits its response. A request that arrives in one read schedules no timer at all; else
 * one timer per connection is in flight and re-arms itself while the deadline moves.
 *
 * <p>Threading: all state is confined to the connection's event loop.
 */
final class RequestDeadlines {
  private static final Logger logger = LoggerFactory.getLogger(RequestDeadlines.class);
  static final String RAW = "theseus-request-clock-raw";
  static final String MSG = "theseus-request-clock";
  private static final String TIMEOUT_TEXT = "request body not received in time\n";
  private static final byte[] TIMEOUT_408 =
      ("HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Type: text/plain\r\n"
              + "Content-Length: " + TIMEOUT_TEXT.length() + "\r\n\r\n" + TIMEOUT_TEXT)
          .getBytes(StandardCharsets.US_ASCII);

  private final long headerNanos;
  private final long bodyNanos;
  private final long bodyMinBytesPerSec;
  private final Counter headerTimeouts;
  private final Counter bodyTimeouts;
  private final LongSupplier nanoClock;

  RequestDeadlines(
      long headerTimeoutMs,
      long bodyTimeoutMs,
      long bodyMinBytesPerSec,
      Counter headerTimeouts,
      Counter bodyTimeouts) {
    this(headerTimeoutMs, bodyTimeoutMs, bodyMinBytesPerSec, headerTimeouts, bodyTimeouts,
        System::nanoTime);
  }

  /** With the clock the deadlines are measured by (tests pair it with an EmbeddedChannel's). */
  RequestDeadlines(
      long headerTimeoutMs,
      long bodyTimeoutMs,
      long bodyMinBytesPerSec,
      Counter headerTimeouts,
      Counter bodyTimeouts,
      LongSupplier nanoClock) {
    this.nanoClock = nanoClock;
    this.headerNanos = TimeUnit.MILLISECONDS.toNanos(headerTimeoutMs);
    this.bodyNanos = TimeUnit.MILLISECONDS.toNanos(bodyTimeoutMs);
    this.bodyMinBytesPerSec = bodyMinBytesPerSec;
    this.headerTimeouts = headerTimeouts;
    this.bodyTimeouts = bodyTimeouts;
  }

  /** Installs the clock on one new connection (a no-op for anything but plain HTTP/1.x). */
  void install(HttpConnection conn) {
    if (!(conn instanceof io.vertx.core.http.impl.HttpServerConnection c)) {
      return;
    }
    install(c.channelHandlerContext().pipeline());
  }

  /** Installs the clock around the pipeline's {@code httpDecoder} and {@code httpEncoder}. */
  void install(ChannelPipeline p) {
    if (p.get("httpDecoder") == null || p.get("httpEncoder") == null || p.get(RAW) != null) {
      logger.debug("no HTTP/1.x codec in {}: request deadlines not installed", p.names());
      return;
    }
    Clock clock = new Clock();
    p.addBefore("httpDecoder", RAW, clock.raw);
    p.addAfter("httpEncoder", MSG, clock.msg);
  }

  private static final int IDLE = 0;
  private static final int HEADERS = 1;
  private static final int BODY = 2;

  /** The per-connection state machine IDLE → HEADERS → BODY → IDLE. */
  private final class Clock {
    private ChannelHandlerContext rawCtx;
    private int phase = IDLE;
    private long phaseStart;
    private long bodyBytes;
    private int awaitingResponse;
    private boolean responseStarted;
    private ScheduledFuture<?> timer;

    final ChannelInboundHandlerAdapter raw =
        new ChannelInboundHandlerAdapter() {
          @Override
          public void handlerAdded(ChannelHandlerContext ctx) {
            rawCtx = ctx;
          }

          @Override
          public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (phase == IDLE && msg instanceof ByteBuf b && b.isReadable()) {
              phase = HEADERS;
              phaseStart = nanoClock.getAsLong();
            }
            ctx.fireChannelRead(msg);
            if (phase != IDLE && timer == null) {
              arm(deadline() - nanoClock.getAsLong());
            }
          }

          @Override
          public void channelInactive(ChannelHandlerContext ctx) {
            phase = IDLE;
            cancel();
            ctx.fireChannelInactive();
          }
        };

    final ChannelDuplexHandler msg =
        new ChannelDuplexHandler() {
          @Override
          public void channelRead(ChannelHandlerContext ctx, Object m) {
            if (m instanceof HttpRequest) {
              phase = BODY;
              phaseStart = nanoClock.getAsLong();
              bodyBytes = 0;
              responseStarted = false;
              awaitingResponse++;
            }
            if (m instanceof HttpContent hc) {
              if (phase != BODY) { // installed mid-request: clock the rest of this body
                phase = BODY;
                phaseStart = nanoClock.getAsLong();
                bodyBytes = 0;
              }
              bodyBytes += hc.content().readableBytes();
            }
            if (m instanceof LastHttpContent) {
              phase = IDLE;
              cancel();
            }
            ctx.fireChannelRead(m);
          }

          @Override
          public void write(ChannelHandlerContext ctx, Object m, ChannelPromise promise) {
            boolean informational = m instanceof HttpResponse r
                && r.status().codeClass() == HttpStatusClass.INFORMATIONAL; // 100 Continue
            if (m instanceof HttpResponse && !informational) {
              responseStarted = true;
            }
            if (m instanceof LastHttpContent && !informational && awaitingResponse > 0) {
              awaitingResponse--;
            }
            ctx.write(m, promise);
          }
        };

    private long deadline() {
      if (phase == HEADERS) {
        return phaseStart + headerNanos;
      }
      long d = phaseStart + bodyNanos;
      if (bodyMinBytesPerSec > 0) {
        d += (long) (bodyBytes * (1e9 / bodyMinBytesPerSec));
      }
      return d;
    }

    private void arm(long delayNanos) {
      timer = rawCtx.executor().schedule(this::check, Math.max(delayNanos, 1_000_000L),
          TimeUnit.NANOSECONDS);
    }

    private void cancel() {
      if (timer != null) {
        timer.cancel(false);
        timer = null;
      }
    }

    private void check() {
      timer = null;
      if (phase == IDLE || !rawCtx.channel().isActive()) {
        return;
      }
      long now = nanoClock.getAsLong();
      boolean serverSide =
          !rawCtx.channel().config().isAutoRead() || (phase == HEADERS && awaitingResponse > 0);
      if (serverSide) {
        phaseStart = now;
        bodyBytes = 0;
      }
      long left = deadline() - now;
      if (left > 0) {
        arm(left);
        return;
      }
      if (phase == HEADERS) {
        headerTimeouts.inc();
        logger.debug("closing {}: request headers incomplete after {} ms",
            rawCtx.channel().remoteAddress(), TimeUnit.NANOSECONDS.toMillis(headerNanos));
        rawCtx.close();
        return;
      }
      bodyTimeouts.inc();
      logger.debug("closing {}: request body of {} bytes too slow", rawCtx.channel().remoteAddress(),
          bodyBytes);
      phase = IDLE;
      if (responseStarted) {
        rawCtx.close();
      } else {
        rawCtx.writeAndFlush(Unpooled.wrappedBuffer(TIMEOUT_408))
            .addListener(ChannelFutureListener.CLOSE);
      }
    }
  }
}
