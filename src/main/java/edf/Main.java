package edf;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.typed.ActorSystem;

/** Loads application.conf, prepares the database and starts the server; see {@link Guardian}. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    Config config = Storage.prepare(ConfigFactory.load());
    ActorSystem.create(Guardian.create(Settings.fromConfig(config), new CompletableFuture<>()), "edf", config);
  }
}
