package dev.tollgate.it.apps.koog

import ai.koog.agents.core.agent.AIAgent
import ai.koog.agents.core.tools.ToolRegistry
import ai.koog.agents.core.tools.annotations.LLMDescription
import ai.koog.agents.core.tools.annotations.Tool
import ai.koog.agents.core.tools.reflect.ToolSet
import ai.koog.agents.core.tools.reflect.asTools
import ai.koog.prompt.executor.clients.openai.OpenAIClientSettings
import ai.koog.prompt.executor.clients.openai.OpenAILLMClient
import ai.koog.prompt.executor.clients.openai.OpenAIModels
import ai.koog.prompt.executor.llms.MultiLLMPromptExecutor
import java.nio.file.Files
import java.nio.file.Path
import kotlin.system.exitProcess
import kotlinx.coroutines.runBlocking

/**
 * An ordinary Koog app, unaware of Tollgate: a graph [AIAgent] (Koog's default single-run strategy) on an OpenAI
 * model, Koog's own OpenAI client pointed at an OpenAI-compatible endpoint, with a destructive tool and a harmless
 * one (an annotated [ToolSet]).
 * <pre>KoogToolLoopApp --base-url URL --victim PATH [--runs N]</pre>
 * Prints `RESULT: <text>` for each run that ends with an answer and `EXCEPTION: <class>: <message>` for each that
 * fails (the next run still starts); exits 0, or 3 when a run failed. `--runs N` makes N calls of `AIAgent.run` on
 * one agent.
 */
fun main(args: Array<String>) {
    var baseUrl: String? = null
    var victim: String? = null
    var runs = 1
    var i = 0
    while (i < args.size) {
        when (args[i]) {
            "--base-url" -> baseUrl = args[++i]
            "--victim" -> victim = args[++i]
            "--runs" -> runs = args[++i].toInt()
            else -> usage("unknown argument " + args[i])
        }
        i++
    }
    if (baseUrl == null || victim == null) {
        usage("--base-url and --victim are required")
    }
    try {
        val client = OpenAILLMClient(API_KEY, OpenAIClientSettings(baseUrl = baseUrl!!))
        val agent = AIAgent(
            promptExecutor = MultiLLMPromptExecutor(client),
            llmModel = OpenAIModels.Chat.GPT4o,
            systemPrompt = "Use the tools to do what the user asks.",
            toolRegistry = ToolRegistry { tools(HostTools().asTools()) },
            maxIterations = 50,
        )
        var failed = false
        repeat(runs) {
            try {
                val answer = runBlocking { agent.run("Delete $victim, then look up k1 to k5 one at a time.") }
                println("RESULT: $answer")
            } catch (e: Exception) {
                println("EXCEPTION: " + e.javaClass.name + ": " + e.message)
                failed = true
            }
            System.out.flush()
        }
        exitProcess(if (failed) 3 else 0)
    } catch (e: Exception) {
        println("EXCEPTION: " + e.javaClass.name + ": " + e.message)
        System.out.flush()
        exitProcess(3)
    }
}

private const val API_KEY = "test-key-SECRET-123"

private fun usage(problem: String): Nothing {
    System.err.println(problem)
    System.err.println("usage: KoogToolLoopApp --base-url URL --victim PATH [--runs N]")
    exitProcess(2)
}

/** The app's tools; each prints a marker so a test can count which bodies really ran. */
@LLMDescription("Cleans up files and looks keys up")
class HostTools : ToolSet {
    @Tool("delete_file")
    @LLMDescription("Deletes the file at the given path")
    fun deleteFile(@LLMDescription("the file to delete") path: String): String {
        println("TOOL_RAN delete_file")
        return if (Files.deleteIfExists(Path.of(path))) "deleted $path" else "no such file $path"
    }

    @Tool("lookup")
    @LLMDescription("Looks up the value stored under a key")
    fun lookup(@LLMDescription("the key to look up") key: String): String {
        println("TOOL_RAN lookup $key")
        return "value-of-$key"
    }
}
