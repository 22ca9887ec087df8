package edf;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.timeout.IdleStateEvent;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Reads the first bytes of a connection to see which way it goes: a WebSocket upgrade of `GET /ws`
 * stays on Netty ({@link HttpEdge#toSocketUpgrade}); every other request, well-formed or not, goes
 * with those bytes to Pekko HTTP ({@link HttpEdge#toPekko}), which answers it as it always has.
 *
 * <p>It decides as soon as the request line cannot be `GET /ws` (usually on the first read), else
 * once the request head is complete: an upgrade names `websocket` in its Upgrade header. A head
 * longer than {@link #MAX_HEAD} goes to Pekko HTTP, whose limits answer it.
 */
final class FirstRequest extends ChannelInboundHandlerAdapter {
  static final int MAX_HEAD = 16 * 1024;

  private static final byte[] SOCKET_REQUEST = "GET /ws".getBytes(StandardCharsets.US_ASCII);
  private static final ByteBuf END_OF_HEAD = Unpooled.unreleasableBuffer(
      Unpooled.wrappedBuffer("\r\n\r\n".getBytes(StandardCharsets.US_ASCII)).asReadOnly());

  private enum Way { WAIT, SOCKET, PEKKO }

  private final HttpEdge edge;
  private ByteBuf head;

  FirstRequest(HttpEdge edge) {
    this.edge = edge;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object message) {
    ByteBuf bytes = (ByteBuf) message;
    head = head == null ? bytes : ByteToMessageDecoder.MERGE_CUMULATOR.cumulate(ctx.alloc(), head, bytes);
    Way way = way(head);
    if (way == Way.WAIT) return;
    if (way == Way.SOCKET) {
      edge.toSocketUpgrade(ctx.pipeline());
    } else {
      edge.toPekko(ctx.pipeline());
    }
    ByteBuf read = head;
    head = null;
    ctx.pipeline().remove(this);
    ctx.fireChannelRead(read);
  }

  /** Nothing (or not enough to decide) came for `idle-timeout`, or the server is going away: the connection is closed. */
  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
    if (event instanceof IdleStateEvent || event == HttpEdge.TERMINATE) {
      ctx.close();
    } else {
      ctx.fireUserEventTriggered(event);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (head != null) head.release();
    head = null;
    ctx.fireChannelInactive();
  }

  private static Way way(ByteBuf head) {
    int start = head.readerIndex();
    int readable = head.readableBytes();
    for (int i = 0; i < Math.min(readable, SOCKET_REQUEST.length); i++) {
      if (head.getByte(start + i) != SOCKET_REQUEST[i]) return Way.PEKKO;
    }
    if (readable <= SOCKET_REQUEST.length) return Way.WAIT;
    byte after = head.getByte(start + SOCKET_REQUEST.length);
    if (after != ' ' && after != '?') return Way.PEKKO;
    int end = ByteBufUtil.indexOf(END_OF_HEAD, head);
    if (end < 0) return readable > MAX_HEAD ? Way.PEKKO : Way.WAIT;
    if (end - start > MAX_HEAD) return Way.PEKKO;
    for (String line : head.toString(start, end - start, StandardCharsets.ISO_8859_1).split("\r\n")) {
      String lower = line.toLowerCase(Locale.ROOT);
      if (lower.startsWith("upgrade:") && lower.contains("websocket")) return Way.SOCKET;
    }
    return Way.PEKKO;
  }
}
