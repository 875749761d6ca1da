from .service import TimebankSettings, build

build(TimebankSettings()).main()
