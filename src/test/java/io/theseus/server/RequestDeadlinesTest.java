package io.theseus.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.Counter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The {@link RequestDeadlines} state machine on a Netty EmbeddedChannel with Vert.x's handler
 * names and a clock advanced together with the channel's scheduler (no real waiting): header 1 s,
 * body 2 s + 1 ms per byte (1000 B/s).
 */
class RequestDeadlinesTest {
  static final String HEAD =
      "POST /api/v1/push HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n";

  final AtomicLong nanos = new AtomicLong(1_000_000_000L);
  final Counter headerTimeouts = new Counter();
  final Counter bodyTimeouts = new Counter();
  final AtomicInteger requestsEnded = new AtomicInteger();
  EmbeddedChannel ch;

  @BeforeEach
  void setUp() {
    ch = new EmbeddedChannel();
    ch.freezeTime();
    ch.pipeline().addLast("httpDecoder", new HttpRequestDecoder());
    ch.pipeline().addLast("httpEncoder", new HttpResponseEncoder());
    ch.pipeline().addLast("handler", new ChannelInboundHandlerAdapter() {
      @Override
      public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof LastHttpContent) {
          requestsEnded.incrementAndGet();
        }
        ReferenceCountUtil.release(msg);
      }
    });
    new RequestDeadlines(1_000, 2_000, 1_000, headerTimeouts, bodyTimeouts, nanos::get)
        .install(ch.pipeline());
  }

  void advanceMs(long ms) {
    nanos.addAndGet(ms * 1_000_000L);
    ch.advanceTimeBy(ms, TimeUnit.MILLISECONDS);
    ch.runScheduledPendingTasks();
  }

  void send(String s) {
    ch.writeInbound(Unpooled.copiedBuffer(s, StandardCharsets.ISO_8859_1));
  }

  void respond() {
    DefaultFullHttpResponse r =
        new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT);
    r.headers().set(HttpHeaderNames.CONTENT_LENGTH, 0);
    ch.writeOutbound(r);
    releaseOutbound();
  }

  String outbound() {
    StringBuilder sb = new StringBuilder();
    for (Object o; (o = ch.readOutbound()) != null; ) {
      sb.append(((ByteBuf) o).toString(StandardCharsets.ISO_8859_1));
      ReferenceCountUtil.release(o);
    }
    return sb.toString();
  }

  void releaseOutbound() {
    outbound();
  }

  @Test
  void idleKeepAlive_noClock_staysOpen() {
    send(HEAD + "x".repeat(100));
    respond();
    advanceMs(3_600_000);
    assertThat(ch.isActive()).isTrue();
    assertThat(requestsEnded.get()).isEqualTo(1);
    assertThat(headerTimeouts.getCount() + bodyTimeouts.getCount()).isZero();
  }

  @Test
  void partialHeaders_closedAfterHeaderTimeout_evenWhileTrickling() {
    send("POST /api/v1/push HTTP/1.1\r\nHo");
    for (int i = 0; i < 9; i++) {
      advanceMs(100);
      send("a");
    }
    assertThat(ch.isActive()).isTrue();
    advanceMs(150);
    assertThat(ch.isActive()).isFalse();
    assertThat(headerTimeouts.getCount()).isEqualTo(1);
    assertThat(outbound()).isEmpty();
  }

  @Test
  void slowBody_408AndClosed_bodyNeverEnds() {
    send(HEAD + "0123456789");
    advanceMs(2_000); // deadline 2 s + 10 bytes at 1000 B/s = 2.01 s
    assertThat(ch.isActive()).isTrue();
    advanceMs(20);
    assertThat(ch.isActive()).isFalse();
    assertThat(bodyTimeouts.getCount()).isEqualTo(1);
    assertThat(outbound()).startsWith("HTTP/1.1 408 Request Timeout\r\n");
    assertThat(requestsEnded.get()).isZero();
  }

  @Test
  void bodyAtTheMinimumRate_completes() {
    send(HEAD);
    for (int i = 0; i < 10; i++) {
      advanceMs(200); // 10 bytes per 200 ms = 50 B/s is below 1000 B/s: only the 2 s grace helps
      send("0123456789");
    }
    assertThat(ch.isActive()).as("10 x 10 bytes in 2 s").isTrue();
    assertThat(requestsEnded.get()).isEqualTo(1);
    respond();
    advanceMs(60_000);
    assertThat(ch.isActive()).isTrue();
  }

  @Test
  void pipelinedHeaders_notClockedWhileTheServerOwesAResponse() {
    send(HEAD + "x".repeat(100) + "POST /api/v1/push HT");
    send("T"); // the first request is being served; the second's headers stall
    advanceMs(5_000);
    assertThat(ch.isActive()).as("the server's own delay").isTrue();
    respond();
    advanceMs(1_100);
    assertThat(ch.isActive()).isFalse();
    assertThat(headerTimeouts.getCount()).isEqualTo(1);
  }

  @Test
  void serverBackPressure_autoReadOff_notTheClientsFault() {
    send(HEAD + "0123456789");
    ch.config().setAutoRead(false);
    advanceMs(10_000);
    assertThat(ch.isActive()).isTrue();
    ch.config().setAutoRead(true);
    advanceMs(2_100);
    assertThat(ch.isActive()).isFalse();
    assertThat(bodyTimeouts.getCount()).isEqualTo(1);
  }
}
