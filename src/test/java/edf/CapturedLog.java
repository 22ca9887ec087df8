package edf;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import ch.qos.logback.core.encoder.Encoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Every log event of the test run, whatever its level or logger, as the text its encoder writes
 * (logback-test.xml gives it the production pattern's message, with its masking): attached to the root logger in
 * logback-test.xml, for tests that read the whole log (LogRedactionTest). It keeps nothing until a
 * test calls {@link #startCapturing()}, so that the other tests of the run do not fill the memory.
 */
public final class CapturedLog extends AppenderBase<ILoggingEvent> {
  private static final ConcurrentLinkedQueue<String> LINES = new ConcurrentLinkedQueue<>();
  private static volatile boolean capturing;
  private Encoder<ILoggingEvent> encoder;

  /** Set from logback-test.xml. */
  public void setEncoder(Encoder<ILoggingEvent> encoder) {
    this.encoder = encoder;
  }

  /** From now on every event is kept (what was kept before is dropped). */
  static void startCapturing() {
    LINES.clear();
    capturing = true;
  }

  static void stopCapturing() {
    capturing = false;
  }

  @Override
  protected void append(ILoggingEvent event) {
    if (!capturing) return;
    LINES.add(new String(encoder.encode(event), StandardCharsets.UTF_8));
  }

  static List<String> lines() {
    return List.copyOf(LINES);
  }
}
