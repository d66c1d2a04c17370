/**
 * What a container runs, read from its `command` and `args` as Kubernetes and a POSIX shell read
 * them, so that a policy can tell a program that is run from a word that only appears as an
 * argument or inside a quoted string. It reads as much of the shell language as that takes and no
 * more: words, quotes, escapes, comments, here-documents, redirections and the operators that
 * separate one command from the next. Words made by expansion (`$cmd`) are taken as written.
 */

/** The names ping is installed under. */
const PING_PROGRAMS: ReadonlySet<string> = new Set(["ping", "ping6"]);

/** Shells whose `-c` option takes a script to run. */
const SHELLS: ReadonlySet<string> = new Set(["sh", "bash", "ash", "dash"]);

/** Programs and builtins that run the command that follows them (after their options). */
const WRAPPERS: ReadonlySet<string> = new Set([
    "busybox",
    "env",
    "nohup",
    "exec",
    "command",
    "time",
]);

/** Reserved words of the shell after which the next word is a command again. */
const KEYWORDS: ReadonlySet<string> = new Set([
    "if",
    "then",
    "else",
    "elif",
    "do",
    "while",
    "until",
    "!",
    "{",
]);

/** How many shells deep a script is read, as in `sh -c 'bash -c "ping peer"'`. */
const MAX_SHELL_DEPTH = 4;

/**
 * The ping program (`ping` or `ping6`) that `argv` runs, by name or path, directly, through a
 * wrapper such as `env` or `busybox`, or in a script given to a shell's `-c`; `undefined` when
 * it runs none that can be seen.
 */
export function pingRunBy(argv: readonly string[], depth = 0): string | undefined {
    const words = withoutWrappers(argv);
    if (words.length === 0) {
        return undefined;
    }
    const program = basename(words[0]);
    if (PING_PROGRAMS.has(program)) {
        return program;
    }

    const script = SHELLS.has(program) ? shellScriptOf(words) : undefined;
    if (script === undefined || depth >= MAX_SHELL_DEPTH) {
        return undefined;
    }
    for (const command of commandsOf(script)) {
        const found = pingRunBy(command, depth + 1);
        if (found !== undefined) {
            return found;
        }
    }
    return undefined;
}

/** `/usr/bin/ping -> ping`. */
function basename(path: string): string {
    return path.slice(path.lastIndexOf("/") + 1);
}

/** Whether a word is a variable assignment, `NAME=value`. */
function isAssignment(word: string): boolean {
    return /^[A-Za-z_][A-Za-z0-9_]*=/.test(word);
}

/**
 * `argv` from the command that its wrappers run: `env -i PEER=x ping peer -> ping peer`. Empty
 * for `command -v ping`, which looks ping up without running it.
 */
function withoutWrappers(argv: readonly string[]): readonly string[] {
    let words = argv;
    while (words.length > 0 && WRAPPERS.has(basename(words[0]))) {
        let next = 1;
        while (next < words.length && (words[next].startsWith("-") || isAssignment(words[next]))) {
            next++;
        }
        const options = words.slice(1, next);
        if (basename(words[0]) === "command" && options.some((o) => /^-[a-zA-Z]*[vV]/.test(o))) {
            return [];
        }
        words = words.slice(next);
    }
    return words;
}

/**
 * The script a shell runs with `-c`: the first word after the options when one of them is `c`
 * (`sh -c`, `bash -lc`, `sh -e -o pipefail -c`); `undefined` when the shell reads a file or
 * standard input instead.
 */
function shellScriptOf(argv: readonly string[]): string | undefined {
    let runsScript = false;
    for (let i = 1; i < argv.length; i++) {
        const word = argv[i];
        if (word === "--" || word === "-") {
            return runsScript ? argv[i + 1] : undefined;
        }
        if (word.startsWith("--")) {
            continue;
        }
        if (word.length > 1 && (word.startsWith("-") || word.startsWith("+"))) {
            runsScript ||= word.startsWith("-") && word.includes("c");
            // -o and -O take the name of an option as the next word.
            if (/[oO]/.test(word)) {
                i++;
            }
            continue;
        }
        return runsScript ? word : undefined;
    }
    return undefined;
}

/** A piece of a shell script. */
type Token =
    | { kind: "word"; text: string }
    /** Ends a command: `;`, `&`, `|`, `(`, `)`, a backquote, `$(` or a newline. */
    | { kind: "separator" }
    /** A redirection operator; the word after it is its target, not an argument. */
    | { kind: "redirect" };

/**
 * The simple commands of a shell script, each as the words it runs, with the reserved words
 * before it, its variable assignments and its redirections left out:
 * `until FOO=1 ping -c1 peer >/dev/null; do sleep 1; done -> [ping -c1 peer], [sleep 1], [done]`.
 */
export function commandsOf(script: string): string[][] {
    const commands: string[][] = [];
    let words: string[] = [];
    let redirectTarget = false;
    for (const token of tokensOf(script)) {
        if (token.kind === "separator") {
            if (words.length > 0) {
                commands.push(words);
            }
            words = [];
        } else if (token.kind === "redirect") {
            redirectTarget = true;
        } else if (redirectTarget) {
            redirectTarget = false;
        } else if (words.length > 0 || !(KEYWORDS.has(token.text) || isAssignment(token.text))) {
            words.push(token.text);
        }
    }
    if (words.length > 0) {
        commands.push(words);
    }
    return commands;
}

/** A here-document whose lines are still to be skipped: `<<EOF`, or `<<-EOF` (tabs stripped). */
interface HereDocument {
    delimiter: string;
    stripTabs: boolean;
}

/** The script as words, separators and redirections, with quotes and escapes resolved. */
function tokensOf(script: string): Token[] {
    const tokens: Token[] = [];
    const hereDocuments: HereDocument[] = [];
    let hereDocumentNext: { stripTabs: boolean } | undefined;
    let word: string | undefined;

    const endWord = () => {
        if (word === undefined) {
            return;
        }
        tokens.push({ kind: "word", text: word });
        if (hereDocumentNext !== undefined) {
            hereDocuments.push({ delimiter: word, ...hereDocumentNext });
            hereDocumentNext = undefined;
        }
        word = undefined;
    };

    let i = 0;
    while (i < script.length) {
        const c = script[i];
        if (c === " " || c === "\t") {
            endWord();
            i++;
        } else if (c === "\n") {
            endWord();
            tokens.push({ kind: "separator" });
            i = afterHereDocuments(script, i + 1, hereDocuments.splice(0));
        } else if (c === "#" && word === undefined) {
            const end = script.indexOf("\n", i);
            i = end < 0 ? script.length : end;
        } else if (c === "\\") {
            // A backslash before a newline joins the lines; before anything else, quotes it.
            if (script[i + 1] !== "\n") {
                word = (word ?? "") + (script[i + 1] ?? "");
            }
            i += 2;
        } else if (c === "'") {
            const end = script.indexOf("'", i + 1);
            const stop = end < 0 ? script.length : end;
            word = (word ?? "") + script.slice(i + 1, stop);
            i = stop + 1;
        } else if (c === '"') {
            const quoted = doubleQuoted(script, i + 1);
            word = (word ?? "") + quoted.text;
            i = quoted.next;
        } else if (c === "$" && script[i + 1] === "(") {
            endWord();
            tokens.push({ kind: "separator" });
            i += 2;
        } else if (";&|()`".includes(c)) {
            endWord();
            tokens.push({ kind: "separator" });
            i++;
        } else if (c === "<" || c === ">") {
            // A file descriptor number written just before the operator belongs to it: 2>&1.
            if (word !== undefined && /^[0-9]+$/.test(word)) {
                word = undefined;
            }
            endWord();
            const operator = /^[<>]+[&|-]?/.exec(script.slice(i))?.[0] ?? c;
            tokens.push({ kind: "redirect" });
            if (operator.startsWith("<<") && !operator.startsWith("<<<")) {
                hereDocumentNext = { stripTabs: operator.endsWith("-") };
            }
            i += operator.length;
        } else {
            word = (word ?? "") + c;
            i++;
        }
    }
    endWord();
    return tokens;
}

/**
 * The text of a double-quoted string that starts at `start` (after its opening quote), with the
 * escapes a shell resolves there, and the position after its closing quote. Expansions inside it,
 * command substitutions included, are kept as written.
 */
function doubleQuoted(script: string, start: number): { text: string; next: number } {
    let text = "";
    let i = start;
    while (i < script.length && script[i] !== '"') {
        if (script[i] === "\\" && '$`"\\\n'.includes(script[i + 1] ?? "")) {
            text += script[i + 1] === "\n" ? "" : script[i + 1];
            i += 2;
        } else {
            text += script[i];
            i++;
        }
    }
    return { text, next: i + 1 };
}

/** The position after the bodies of the here-documents that begin at `start`. */
function afterHereDocuments(script: string, start: number, documents: HereDocument[]): number {
    let position = start;
    for (const { delimiter, stripTabs } of documents) {
        while (position < script.length) {
            const end = script.indexOf("\n", position);
            const stop = end < 0 ? script.length : end;
            const line = script.slice(position, stop);
            position = stop + 1;
            if ((stripTabs ? line.replace(/^\t+/, "") : line) === delimiter) {
                break;
            }
        }
    }
    return position;
}
