"""Attribute keys: OpenTelemetry GenAI semantic conventions where one exists, else gatereview.*."""

from __future__ import annotations

from typing import Any

# OpenTelemetry GenAI semantic conventions (development status, names as in semconv 1.3x+).
OPERATION_NAME = "gen_ai.operation.name"
PROVIDER_NAME = "gen_ai.provider.name"
REQUEST_MODEL = "gen_ai.request.model"
RESPONSE_MODEL = "gen_ai.response.model"
RESPONSE_FINISH_REASONS = "gen_ai.response.finish_reasons"
INPUT_TOKENS = "gen_ai.usage.input_tokens"
OUTPUT_TOKENS = "gen_ai.usage.output_tokens"
INPUT_MESSAGES = "gen_ai.input.messages"
OUTPUT_MESSAGES = "gen_ai.output.messages"
AGENT_NAME = "gen_ai.agent.name"
CONVERSATION_ID = "gen_ai.conversation.id"
TOOL_NAME = "gen_ai.tool.name"
TOOL_CALL_ARGUMENTS = "gen_ai.tool.call.arguments"
TOOL_CALL_RESULT = "gen_ai.tool.call.result"
EVALUATION_NAME = "gen_ai.evaluation.name"
EVALUATION_SCORE_LABEL = "gen_ai.evaluation.score.label"
ERROR_TYPE = "error.type"

# gen_ai.operation.name values used here.
OP_CHAT = "chat"
OP_INVOKE_AGENT = "invoke_agent"
OP_INVOKE_WORKFLOW = "invoke_workflow"
OP_EXECUTE_TOOL = "execute_tool"

# Our own, where no convention exists.
COST_USD = "gatereview.cost_usd"
LATENCY_S = "gatereview.latency_s"
QUEUE_WAIT_S = "gatereview.queue_wait_s"  # waited for a free slot before the request left
CLIENT_S = "gatereview.client_s"  # the client's own work around the requests (litellm's)
RETRIES = "gatereview.retries"
GATE = "gatereview.gate"
CRITERION = "gatereview.criterion"
PROMPT_HASH = "gatereview.prompt_hash"
DEGRADED_REASON = "gatereview.degraded_reason"
STATUS = "gatereview.status"
DOCUMENTS = "gatereview.documents"
RUBRICS = "gatereview.rubrics"
RUBRIC_SET = "gatereview.rubric_set"
RUBRIC_SOURCE = "gatereview.rubric_source"
TOOL_VERSION = "gatereview.tool_version"
SETTINGS = "gatereview.settings"
REDACTED_COUNT = "gatereview.redacted_count"
EVIDENCE_VERIFIED = "gatereview.evidence.verified"
EVIDENCE_MATCH_KIND = "gatereview.evidence.match_kind"
EVIDENCE_LOCATION = "gatereview.evidence.location"  # where a reader finds the quote
DECISION_ACTION = "gatereview.decision.action"
DECISION_REVIEWER = "gatereview.decision.reviewer"
DECISION_COMMENT = "gatereview.decision.comment"
DECISION_AMENDMENTS = "gatereview.decision.amendments"
DECISION_GATES = "gatereview.decision.gates"
VERDICT = "gatereview.verdict"
VERDICT_SHA256 = "gatereview.verdict.sha256"
DECISION_VERDICT_SHA256 = "gatereview.decision.verdict_sha256"
TRACE_SEGMENT = "gatereview.trace.segment"
TRACE_PREVIOUS = "gatereview.trace.previous_segment"
GATE_STATUSES = "gatereview.gate_statuses"
LAST_HASH = "gatereview.last_hash"


# litellm's provider prefix -> the GenAI conventions' gen_ai.provider.name, where they differ.
_PROVIDER_NAMES = {
    "azure": "azure.ai.openai",
    "azure_ai": "azure.ai.inference",
    "bedrock": "aws.bedrock",
    "gemini": "gcp.gemini",
    "vertex_ai": "gcp.vertex_ai",
    "mistral": "mistral_ai",
    "xai": "x_ai",
    "watsonx": "ibm.watsonx.ai",
}


def provider_name(model: str) -> str:
    """gen_ai.provider.name of a litellm model string (`openai/gpt-4.1-mini` -> `openai`)."""
    if "/" in model:
        prefix = model.split("/", 1)[0].lower()
    elif model.startswith("claude"):
        prefix = "anthropic"
    else:
        prefix = "openai"  # litellm's default for a bare model name
    return _PROVIDER_NAMES.get(prefix, prefix)


def _present(values: dict[str, Any]) -> dict[str, Any]:
    """Drop None values so absent facts stay absent rather than null."""
    return {key: value for key, value in values.items() if value is not None}


def llm_call_attributes(
    *,
    request_model: str,
    response_model: str | None = None,
    provider: str | None = None,
    input_tokens: int | None = None,
    output_tokens: int | None = None,
    cost_usd: float | None = None,
    latency_s: float | None = None,
    retries: int | None = None,
    messages: list[dict[str, Any]] | None = None,
    output: Any = None,
    error_type: str | None = None,
    prompt_hash: str | None = None,
) -> dict[str, Any]:
    """Attributes of one model call; messages must already be redacted."""
    return _present(
        {
            OPERATION_NAME: OP_CHAT,
            REQUEST_MODEL: request_model,
            RESPONSE_MODEL: response_model,
            PROVIDER_NAME: provider,
            INPUT_TOKENS: input_tokens,
            OUTPUT_TOKENS: output_tokens,
            COST_USD: cost_usd,
            LATENCY_S: latency_s,
            RETRIES: retries,
            INPUT_MESSAGES: messages,
            OUTPUT_MESSAGES: output,
            ERROR_TYPE: error_type,
            PROMPT_HASH: prompt_hash,
        }
    )


def tool_call_attributes(
    tool: str, *, arguments: Any = None, result: Any = None, error_type: str | None = None
) -> dict[str, Any]:
    """Attributes of one tool call (retrieval, web search, ...)."""
    return _present(
        {
            OPERATION_NAME: OP_EXECUTE_TOOL,
            TOOL_NAME: tool,
            TOOL_CALL_ARGUMENTS: arguments,
            TOOL_CALL_RESULT: result,
            ERROR_TYPE: error_type,
        }
    )


def agent_attributes(gate: str, **extra: Any) -> dict[str, Any]:
    """Attributes of a gate agent's node span."""
    return {OPERATION_NAME: OP_INVOKE_AGENT, AGENT_NAME: f"{gate}-gate", GATE: gate, **extra}


def decision_attributes(
    action: str,
    reviewer: str,
    *,
    comment: str | None = None,
    gates: list[str] | None = None,
    amendments: list[dict[str, Any]] | None = None,
    at: str | None = None,
    verdict_sha256: str | None = None,
) -> dict[str, Any]:
    """Attributes of a human decision."""
    return _present(
        {
            DECISION_ACTION: action,
            DECISION_REVIEWER: reviewer,
            DECISION_COMMENT: comment,
            DECISION_GATES: gates,
            DECISION_AMENDMENTS: amendments,
            "gatereview.decision.at": at,
            DECISION_VERDICT_SHA256: verdict_sha256,
        }
    )
