package dev.tollgate.it.harness;

import dev.tollgate.sim.Script;

import java.nio.file.Path;

/**
 * The tool loop the framework ITs play: the model asks to delete a victim file, then to look up {@code k1} to
 * {@code k5}, one per turn, then answers {@code finished} (7 turns).
 */
public final class ToolLoopScript {

    private ToolLoopScript() {
    }

    public static Script deleteThenFiveLookups(Path victim) {
        Script.Builder script = Script.builder().callTool("delete_file", "path", victim.toString());
        for (int k = 1; k <= 5; k++) {
            script.callTool("lookup", "key", "k" + k);
        }
        return script.answer("finished").build();
    }

    /** The id of the call that looks up k{n}: turn n+1 (turn 1 is the delete). */
    public static String lookupCall(int n) {
        return Script.callId(n + 1, 0);
    }
}
