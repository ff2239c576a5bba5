# bash completion for districtl: verbs, options, and package names from the running daemon
# (installed names for remove/why/verify/pin/unpin, what the repositories offer for install/info/files).
# Installed as /usr/share/bash-completion/completions/districtl.

# Full names and plain names (name-arch-version-revision stripped) that `districtl list` prints; nothing when
# the daemon is not running. $1: --available or empty; $2: the --socket given on the line, if any.
_districtl_names()
{
    local full
    districtl ${2:+--socket "$2"} list $1 2>/dev/null | while IFS=$'\t' read -r full _; do
        [[ -n $full ]] || continue
        printf '%s\n%s\n' "$full" "${full%-*-*-*}"
    done | sort -u
}

# Full names only (what run --with takes) of every package the store or the repositories have.
_districtl_full_names()
{
    districtl ${1:+--socket "$1"} list --available 2>/dev/null | cut -f1
}

# `repo`: its subcommands, then URLs from `districtl repo list` (remove/enable/disable), or --key FILE and
# --fingerprint (add). $1: the index of `repo` in COMP_WORDS; $2: the --socket given on the line, if any.
_districtl_repo()
{
    local at=$1 socket=$2 cur=${COMP_WORDS[COMP_CWORD]}
    # URLs hold ':', which bash splits words at; bash-completion's helpers put them back together when present.
    declare -F _get_comp_words_by_ref >/dev/null && _get_comp_words_by_ref -n : cur
    if ((COMP_CWORD == at + 1)); then
        COMPREPLY=($(compgen -W "list add remove enable disable build import-apt" -- "$cur"))
        return
    fi

    case ${COMP_WORDS[at + 1]} in
        add)
            if [[ ${COMP_WORDS[COMP_CWORD - 1]} == --key ]]; then
                COMPREPLY=($(compgen -f -- "$cur"))
            elif [[ $cur == -* ]]; then
                COMPREPLY=($(compgen -W "--key --fingerprint --help" -- "$cur"))
            fi ;;
        remove|enable|disable)
            COMPREPLY=($(compgen -W "$(districtl ${socket:+--socket "$socket"} repo list 2>/dev/null | awk '$1 ~ /^https?:\/\// {print $1}')" -- "$cur"))
            declare -F __ltrim_colon_completions >/dev/null && __ltrim_colon_completions "$cur" ;;
        build|import-apt) COMPREPLY=($(compgen -f -- "$cur")) ;;
    esac
}

_districtl()
{
    local cur=${COMP_WORDS[COMP_CWORD]}
    local verbs="status list search info install remove update rollback generations gc pin unpin files owns why history diff verify run pack unpack keygen repo import-deb"
    local verb= socket= i
    for ((i = 1; i < COMP_CWORD; i++)); do
        case ${COMP_WORDS[i]} in
            --socket) socket=${COMP_WORDS[i + 1]}; ((i++)) ;;
            -*) ;;
            *) verb=${COMP_WORDS[i]}; break ;;
        esac
    done

    if [[ ${COMP_WORDS[COMP_CWORD - 1]} == --socket ]]; then
        COMPREPLY=($(compgen -f -- "$cur"))
        return
    fi

    if [[ $verb == run && ${COMP_WORDS[COMP_CWORD - 1]} == --with ]]; then
        COMPREPLY=($(compgen -W "$(_districtl_full_names "$socket")" -- "$cur"))
        return
    fi

    if [[ -z $verb ]]; then
        COMPREPLY=($(compgen -W "$verbs --json --socket --help --version" -- "$cur"))
        return
    fi

    if [[ $verb == repo ]]; then
        _districtl_repo "$i" "$socket"
        return
    fi

    local options=
    case $verb in
        install) options="--dry-run --detach --reinstall" ;;
        update) options="--dry-run --detach" ;;
        remove|rollback|pin|unpin) options="--dry-run" ;;
        gc) options="--dry-run --keep" ;;
        list) options="--available" ;;
        run) options="--with" ;;
    esac

    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$options --help" -- "$cur"))
        return
    fi

    case $verb in
        install|info|files) COMPREPLY=($(compgen -W "$(_districtl_names --available "$socket")" -- "$cur")) ;;
        remove|why|verify|pin|unpin) COMPREPLY=($(compgen -W "$(_districtl_names "" "$socket")" -- "$cur")) ;;
        owns|pack|unpack|import-deb) COMPREPLY=($(compgen -f -- "$cur")) ;;
        run) COMPREPLY=($(compgen -c -- "$cur")) ;;
    esac
}

complete -F _districtl districtl
