# The extension's build for PGXN and PostgreSQL's conventions (pgxn install, make && make
# install): the same as make -f Makefile.pgxs. The loader (xlsx2pg) builds with CMake.
include Makefile.pgxs
