package edf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import edf.load.LoadSettings;
import edf.load.LoadSimulator;
import edf.load.Verifier;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A short run of the load simulator inside the build: a few dozen virtual users with two windows
 * each, the default chaos on (500s, lost responses, failures, delays), every outcome checked.
 */
class LoadSimulationTest {

  @Test
  void aShortSimulationWithChaosLosesDuplicatesAndMisroutesNothing() throws Exception {
    LoadSettings settings = new LoadSettings(
        "", "users", 30, 2, Duration.ofSeconds(6), Duration.ZERO, 100, 1.0, 0, "default",
        8, Duration.ofMillis(100), Duration.ofSeconds(2), Duration.ofSeconds(10), List.of("todos"),
        0, 1, 0, Duration.ZERO, Duration.ofSeconds(60), 200, 7, "target/load-report-test");
    Verifier.Result result = LoadSimulator.run(settings);
    assertTrue(result.acceptedCommands() > 60, "the run did something: " + result);
    assertEquals(0, result.lost(), result.toString());
    assertEquals(0, result.duplicated(), result.toString());
    assertEquals(0, result.misrouted(), result.toString());
    assertEquals(0, result.outOfOrder(), result.toString());
    assertEquals(0, result.statusDisagreed(), result.toString());
    assertTrue(result.statusChecked() > 0, result.toString());
  }
}
