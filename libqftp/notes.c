/* notes.c - the tables of qftp/notes.h. */
#include "qftp/notes.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const qftp_expert_def experts[] = {
#define X(ID, name, sev, group, item, summary)                                                     \
    {QFTP_EXPERT_##ID, name, QFTP_SEV_##sev, QFTP_EG_##group, item, summary},
    QFTP_EXPERTS(X)
#undef X
};

static const qftp_note_def notes[] = {
#define X(ID, expert, format) {QFTP_NOTE_##ID, #ID, QFTP_EXPERT_##expert, format},
    QFTP_NOTE_KINDS(X)
#undef X
};

const qftp_expert_def *qftp_expert_defs(size_t *n)
{
    *n = COUNT(experts);
    return experts;
}

const qftp_note_def *qftp_note_defs(size_t *n)
{
    *n = COUNT(notes);
    return notes;
}

const qftp_expert_def *qftp_expert_def_of(qftp_expert_id id)
{
    return (unsigned)id < COUNT(experts) ? &experts[id] : NULL;
}

const qftp_note_def *qftp_note_def_of(qftp_note_kind kind)
{
    return (unsigned)kind < COUNT(notes) ? &notes[kind] : NULL;
}

qftp_severity qftp_note_severity(qftp_note_kind kind)
{
    const qftp_note_def *d = qftp_note_def_of(kind);
    return d ? experts[d->expert].severity : QFTP_SEV_WARN;
}
