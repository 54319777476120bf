"""Imported by the batch screener's fork server, and only there: it analyses one name.

rigour builds its name tagger on the first name a process analyses (about 6 s of CPU on this
machine, inside rigour's Rust core). ``run_batch`` starts its workers from a ``forkserver``
that preloads this module, so the tagger (and pepgraph's modules) are built once and every
worker forked from that server shares them, instead of each paying for it again. Importing it
anywhere else only costs that one analysis.
"""

from pepgraph.screen.subject import subject_from_properties

subject_from_properties("Person", {"name": ["Warm Up"]})
subject_from_properties("Organization", {"name": ["Warm Up Ltd"]})
