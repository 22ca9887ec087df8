package edf;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.typed.ActorSystem;

/** Loads application.conf, prepares the database and starts the server; see {@link Guardian}. */
public final class Main {
  /**
   * Pekko's Java API hands every ask's answer to a CompletableFuture callback that runs "async" on
   * the JDK's default executor. With fewer than 3 cores the common ForkJoinPool has parallelism 1,
   * and the JDK then starts a new thread for each such callback (one per socket opened, one per
   * command accepted). A common pool of at least 2 threads avoids that; set here, before anything
   * touches the pool, unless the JVM was started with its own value.
   */
  static final String COMMON_POOL_PARALLELISM = "java.util.concurrent.ForkJoinPool.common.parallelism";

  static {
    if (System.getProperty(COMMON_POOL_PARALLELISM) == null) System.setProperty(COMMON_POOL_PARALLELISM, "2");
  }

  private Main() {}

  public static void main(String[] args) {
    Config config = Storage.prepare(ConfigFactory.load());
    ActorSystem.create(Guardian.create(Settings.fromConfig(config), new CompletableFuture<>()), "edf", config);
  }
}
