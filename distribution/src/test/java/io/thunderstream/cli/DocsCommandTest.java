package io.thunderstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** docs/commands.md is what {@code thunderstream docs} prints: the commands as they are. */
class DocsCommandTest {

    @Test
    void docsCommandsMdIsTheOutputOfTheDocsCommand() throws Exception {
        InProcessRun docs = InProcessRun.of("docs");
        assertThat(docs.exitCode()).as(docs.err()).isZero();
        assertThat(docs.out()).contains("## `thunderstream sync`", "| `--only-db NAME` |", "## `thunderstream snapshots dump`",
                "## `thunderstream experimental migrate-timestamps`", "| `--minimum-pid PID` |")
                .doesNotContain("## `thunderstream help`");
        Path committed = Path.of(System.getProperty("user.dir")).toAbsolutePath().getParent().resolve("docs/commands.md");
        assertThat(Files.readString(committed))
                .as("docs/commands.md is out of date: run bin/thunderstream docs > docs/commands.md")
                .isEqualTo(docs.out());
    }
}
