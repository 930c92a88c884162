"""Workshop mode: one instructor, one shared server, a room of attendees.

    kit.py            the .rcwkit file: title, locked options, samples, the pinned server
    server_layout.py  where a workshop lives on the server (paths, ids)
    queue_shell.py    the server-side first-come queue, as POSIX sh run by the SSH wrapper
    host_key.py       the kit's pinned host key (an attendee never accepts an unknown key)
    runner.py         WorkshopRunner: the SSH runner with the queue, the pin and receipts
    attendee.py       an attendee's conversion: kit + their model and pictures -> a job
    server_setup.py   prepare-server: Docker, the toolchain image, the account(s), the queue
    gatekeeper.py     a room with one account per attendee: the root-owned program (via sudo)
                      that is their only way to Docker, for their own runs only
    server_check.py   what make-kit checks on the server (reachable, Docker, image, memory, disk)
    kit_maker.py      make-kit: check the server, then write the kit
    status.py         the room at a glance (every job's state, the server's load)
    image_tarball.py  the image ID inside a `docker save` tarball (offline rooms)
    offline_image.py  `toolchain-image load FILE --kit KIT`: only the kit's image is loaded
"""
