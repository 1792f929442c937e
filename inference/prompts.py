"""Prompt templates of the inference engine, as constants with `{named}` placeholders."""

from __future__ import annotations

__all__ = [
    "COMPONENTS_INSTRUCTION",
    "COMPONENTS_WHAT",
    "CONTEXT_BLOCK",
    "FLOW_INSTRUCTION",
    "PARAMETERS_PROMPT",
    "REFINE_PROMPT",
    "SYNTAX_RULES",
    "SYSTEM_PROMPT",
    "TOPOLOGY_FOLLOW_UP",
    "TOPOLOGY_PROMPT",
    "TOPOLOGY_WHAT",
]

SYSTEM_PROMPT = """\
You write ComfyUI workflows as programs in A-Language, {syntax} syntax.
A program is a set of functions (ComfyUI node types with literal parameters) and links from one \
function's output to another function's input. Example of the syntax:
```
{example}
```
{rules}
Rules:
- Use only the node types listed under "Available functions", with their exact input and output names.
- Literal values must have the listed type, stay inside [min..max] and be one of the listed choices.
- Refer to input files by their exact file names. Use the numbers and sizes the task states; compute \
derived values (for example half of a size) from them, never copy numbers from the reference programs.
- Every workflow ends in an output node (for example SaveImage) so that it produces files.
- Reply with exactly one fenced code block holding the program, and nothing else."""

SYNTAX_RULES = {
    "declarative": (
        'workflow.add_node("id", "NodeType", {"param": value}) declares a function; '
        'workflow.connect("source_id", "OUTPUT_NAME", "target_id", "input_name") links an output '
        "(by name or 0-based index) to an input."
    ),
    "dataflow": (
        "id = NodeType(param=value, input=source_id.OUTPUT_NAME) declares a function; an input "
        "written as input=source_id reads the source's first output."
    ),
    "pseudo": (
        "id is a NodeType with param value, input from source_id's OUTPUT_NAME. One sentence per "
        "function; `input from source_id` reads the source's first output."
    ),
}
"""One sentence per syntax saying how functions and links are written."""

CONTEXT_BLOCK = """\
Task: {task}

Input files:
{inputs}

Numbers and sizes stated in the task: {numbers}
{keys}
Reference programs for similar tasks:
{examples}

Available functions (inputs marked ? are optional; =value is the default; [min..max] is the range):
{catalog}

Installed model files:
{models}
"""

COMPONENTS_INSTRUCTION = """\
Step 1 of 2. Write only the functions of the workflow with their parameters, no links yet:
{what}
Reply with one ```{fence}``` code block."""

TOPOLOGY_PROMPT = """\
Step 2 of 2. These are the functions chosen in step 1:
```{fence}
{components}
```
Now write the links between them. {what}
Reply with one ```{fence}``` code block."""

TOPOLOGY_FOLLOW_UP = """\
Step 2 of 2. Now write the links between these functions. {what}
Reply with one ```{fence}``` code block."""
"""psi2's question as the next turn of psi1's chat, after psi1's functions as the model's answer."""


FLOW_INSTRUCTION = """\
Write the complete workflow program: every function with its parameters, and every link.
Reply with one ```{fence}``` code block."""

_REFINE_HEAD = """\
The current program has problems.
Current program:
```{fence}
{program}
```
Problems found (fix every one; each names the function and input it concerns):
{diagnostics}

"""

REFINE_PROMPT = (
    _REFINE_HEAD
    + """Write the corrected complete program. Change only what the problems require.
Reply with one ```{fence}``` code block."""
)

REFINE_FUNCTIONS_PROMPT = (
    _REFINE_HEAD
    + """Step 1 of 2. Write the corrected functions with their parameters, no links yet: {what}
Change only what the problems require; the links are written in step 2.
Reply with one ```{fence}``` code block."""
)

PARAMETERS_PROMPT = """\
Task: {task}

Input files:
{inputs}

Numbers and sizes stated in the task: {numbers}

These functions do the task; their parameters still hold the defaults:
```{fence}
{functions}
```
The functions' signatures (inputs marked ? are optional; =value is the default; [min..max] is the range):
{catalog}
{input_docs}
Write the same functions again with the parameter values this task asks for: {what}
Keep every id and node type; change only parameter values. Reply with one ```{fence}``` code block."""

COMPONENTS_WHAT = {
    "declarative": "one workflow.add_node line per function.",
    "dataflow": "one `id = NodeType(param=value, ...)` line per function, with literal parameters only.",
    "pseudo": "one sentence `id is a NodeType with param value, ...` per function, literals only.",
}
"""What psi1 writes, per syntax."""

TOPOLOGY_WHAT = {
    "declarative": "Write only the workflow.connect lines (one per link); the add_node lines are kept.",
    "dataflow": "Write the complete program again, adding every link as an input=source_id.OUTPUT argument.",
    "pseudo": "Write the complete program again, adding every link as `input from source_id's OUTPUT`.",
}
"""What psi2 writes, per syntax."""
