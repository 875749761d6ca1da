from .service import build

build().main()
