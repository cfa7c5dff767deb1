from fixtures import procnet

FIB_TRIE = """Main:
  +-- 0.0.0.0/0 3 0 5
     |-- 0.0.0.0
        /0 universe UNICAST
     +-- 10.244.1.0/24 2 0 2
        +-- 10.244.1.0/28 2 0 2
           |-- 10.244.1.0
              /24 link UNICAST
           |-- 10.244.1.7
              /32 host LOCAL
        |-- 10.244.1.255
           /32 link BROADCAST
     +-- 127.0.0.0/8 2 0 2
        +-- 127.0.0.0/31 1 0 0
           |-- 127.0.0.0
              /8 host LOCAL
           |-- 127.0.0.1
              /32 host LOCAL
        |-- 127.255.255.255
           /32 link BROADCAST
Local:
  +-- 0.0.0.0/0 3 0 5
     +-- 10.244.1.0/24 2 0 2
           |-- 10.244.1.7
              /32 host LOCAL
"""


def test_the_local_addresses_are_the_host_local_leaves_without_loopback():
    assert procnet.local_addresses(FIB_TRIE) == {"10.244.1.7"}


def test_a_namespace_with_two_interfaces_has_two_and_an_empty_table_none():
    two = FIB_TRIE + "     |-- 172.18.0.4\n        /32 host LOCAL\n"
    assert procnet.local_addresses(two) == {"10.244.1.7", "172.18.0.4"}
    assert procnet.local_addresses("") == set()
    assert procnet.local_addresses("     |-- 10.0.0.0\n        /24 link UNICAST\n") == set()
