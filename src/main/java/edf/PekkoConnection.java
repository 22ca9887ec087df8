package edf;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.timeout.IdleStateEvent;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.OverflowStrategy;
import org.apache.pekko.stream.QueueOfferResult;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.SourceQueueWithComplete;
import org.apache.pekko.util.ByteString;

/**
 * An HTTP connection (anything but a WebSocket upgrade) served by Pekko HTTP: the channel's bytes
 * run through Pekko HTTP's server layer joined to the routes ({@link HttpEdge#pekkoFlow}), exactly
 * as a connection Pekko HTTP accepted itself would, and what it answers is written back.
 *
 * <p>Back-pressured both ways: while a hand-over to Pekko HTTP waits to be taken, the channel reads
 * once more and then no more until it is; and once its outgoing buffer is over Netty's high-water
 * mark, the next answer waits until the one before it is written. The connection closes when Pekko
 * HTTP ends it (`Connection: close`, a request it refused), when it is idle for `idle-timeout`, or
 * when the client closes it.
 */
final class PekkoConnection extends ChannelInboundHandlerAdapter {
  /** How long a connection Pekko HTTP has ended still drops what the client sends, before it closes. */
  private static final long LINGER_SECONDS = 2;
  private static final CompletionStage<Void> TAKEN = CompletableFuture.completedFuture(null);

  private final Flow<ByteString, ByteString, NotUsed> http;
  private final Materializer materializer;
  private SourceQueueWithComplete<ByteString> requests;
  /** What was read and not yet handed to Pekko HTTP. */
  private ByteString read = ByteString.emptyByteString();
  /** The last hand-over to Pekko HTTP: the next waits until it is taken. */
  private CompletableFuture<QueueOfferResult> offered = CompletableFuture.completedFuture(QueueOfferResult.enqueued());
  /** Whether the channel waits for the last hand-over to be taken before it goes on. */
  private boolean waiting;
  /** Pekko HTTP has ended the connection: what comes now is dropped. */
  private boolean finished;
  /** The server is going away: nothing more is read, and the connection closes after its answers. */
  private boolean terminating;

  PekkoConnection(Flow<ByteString, ByteString, NotUsed> http, Materializer materializer) {
    this.http = http;
    this.materializer = materializer;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    ctx.channel().config().setAutoRead(false);
    Pair<SourceQueueWithComplete<ByteString>, CompletionStage<Done>> running =
        Source.<ByteString>queue(1, OverflowStrategy.backpressure())
            .via(http)
            .toMat(Sink.foreachAsync(1, bytes -> written(ctx, ctx.writeAndFlush(ctx.alloc().buffer(bytes.size()).writeBytes(bytes.toArrayUnsafe())))),
                Keep.both())
            .run(materializer);
    requests = running.first();
    running.second().whenCompleteAsync((done, failure) -> finish(ctx), ctx.executor());
  }

  /**
   * Pekko HTTP has ended the connection: once its last answer is written, the server's side closes
   * first, and what the client still sends (the rest of a body that was refused) is read and
   * dropped for a moment, so that the client reads the answer instead of a reset.
   */
  private void finish(ChannelHandlerContext ctx) {
    finished = true;
    read = ByteString.emptyByteString();
    // written after the answers before it: the last of them may still be in the outgoing buffer
    ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(answersWritten -> close(ctx));
  }

  private void close(ChannelHandlerContext ctx) {
    if (!terminating && ctx.channel() instanceof DuplexChannel duplex && duplex.isActive()) {
      duplex.shutdownOutput();
      ctx.channel().config().setAutoRead(true);
      ctx.executor().schedule(() -> ctx.close(), LINGER_SECONDS, TimeUnit.SECONDS);
    } else {
      ctx.close();
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object message) {
    ByteBuf bytes = (ByteBuf) message;
    if (finished || terminating) {
      bytes.release();
      return;
    }
    try {
      byte[] copy = new byte[bytes.readableBytes()];
      bytes.readBytes(copy);
      read = read.concat(ByteString.fromArrayUnsafe(copy));
    } finally {
      bytes.release();
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    handOver(ctx);
  }

  /**
   * Hands what was read to Pekko HTTP and reads on. One hand-over at a time: what is read meanwhile
   * waits for the one before to be taken, and the channel reads no more until then. A client sends
   * its next request once it has the answer, so the one before is nearly always taken already and
   * the event loop goes on without waiting for a word from Pekko's side.
   */
  private void handOver(ChannelHandlerContext ctx) {
    if (waiting || finished || terminating) return;
    if (!offered.isDone()) {
      waiting = true;
      offered.whenCompleteAsync((result, failure) -> {
        waiting = false;
        handOver(ctx);
      }, ctx.executor());
      return;
    }
    // refused or failed: Pekko HTTP is ending the connection, and closes it once its last answer
    // is written
    if (offered.isCompletedExceptionally() || !(offered.join() instanceof QueueOfferResult.Enqueued$)) return;
    if (!read.isEmpty()) {
      ByteString bytes = read;
      read = ByteString.emptyByteString();
      offered = RouteSupport.onAnsweringThread(requests.offer(bytes)).toCompletableFuture();
    }
    ctx.read();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
    if (event instanceof IdleStateEvent) {
      ctx.close();
    } else if (event == HttpEdge.TERMINATE) {
      // the server is going away: Pekko HTTP answers the requests it has, then ends the connection
      terminating = true;
      read = ByteString.emptyByteString();
      if (!finished) requests.complete();
    } else {
      ctx.fireUserEventTriggered(event);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (!finished) requests.complete();
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }

  /**
   * When Pekko HTTP may hand over its next answer: at once while the channel takes more (its
   * outgoing buffer under Netty's high-water mark), else once this answer is written. Waiting for
   * every write would cost a thread switch per answer.
   */
  private static CompletionStage<Void> written(ChannelHandlerContext ctx, ChannelFuture write) {
    if (ctx.channel().isWritable()) return TAKEN;
    CompletableFuture<Void> done = new CompletableFuture<>();
    write.addListener(f -> {
      if (f.isSuccess()) {
        done.complete(null);
      } else {
        done.completeExceptionally(f.cause());
      }
    });
    return done;
  }
}
